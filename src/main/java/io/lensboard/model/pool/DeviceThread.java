package io.lensboard.model.pool;

import ai.djl.Device;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The single thread that owns a device: every forward pass, backward pass and analysis on a model in
 * the pool runs here, never on a Vert.x event loop or a request thread. One thread per device keeps
 * DJL's gradient collector (one per process) and device memory use predictable; PyTorch still uses
 * all cores inside each operation.
 */
public final class DeviceThread implements AutoCloseable {
    private final Device device;
    private final ExecutorService executor;

    public DeviceThread(Device device) {
        this.device = device;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lensboard-device-" + device);
            t.setDaemon(true);
            return t;
        });
    }

    public Device device() {
        return device;
    }

    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
