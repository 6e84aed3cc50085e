/**
 * Models kept warm on the device. The catalog (which ids exist, where their checkpoints are, downloading
 * hub ones) and the loader (checkpoint to resident model) live here with the pool because the pool is
 * their one user at run time: together they turn an id into a leased {@link io.lensboard.model.LoadedModel}.
 * A loaded model is owned by its device's {@link io.lensboard.model.pool.DeviceThread}: once loaded, every
 * tensor operation on it runs on that thread; a loader thread only builds it, and request threads only wait.
 */
package io.lensboard.model.pool;
