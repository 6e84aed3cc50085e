package io.lensboard.model.pool;

import io.lensboard.Futures;
import io.lensboard.model.Dtype;
import io.lensboard.model.InvalidModelIdException;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.TensorOwnership;
import io.lensboard.model.checkpoint.HubClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps models warm on the device, one entry per (model id, dtype): the same model in bfloat16 and in float32
 * is two entries, each counted at the bytes it holds. Concurrent first requests for one entry share one load; a model in
 * use is never closed; after a load, least-recently-used idle models are closed until the resident
 * total fits the memory budget (the model just loaded always stays, even alone over budget).
 * Loading (download, file reading, initialisation) runs on a loader thread; all tensor work on
 * loaded models runs on the {@link DeviceThread}.
 *
 * <p>Ownership: the pool owns every {@link LoadedModel} and is the only one to close it, and only an entry without
 * leases (checked under the pool's lock, where leases are taken too); {@link #run} and {@link Lease} pin a model for as
 * long as work on it may run. With {@code -Dlensboard.debug.tensor-ownership=true} a violation throws
 * ({@link TensorOwnership}).
 */
public final class ModelPool implements AutoCloseable {

    public enum State { LOADING, LOADED, FAILED }

    /** What the catalog shows of a model: its state, load progress in 0..1, a line of detail and the bytes it holds. */
    public record Status(String id, Dtype dtype, State state, double progress, String detail, long bytes) {}

    /** A pool entry's name: a model id and the dtype its weights are held in. */
    public record Key(String id, Dtype dtype) {}

    private final class Entry {
        final Key key;
        final String id;
        final CompletableFuture<LoadedModel> future = new CompletableFuture<>();
        volatile double progress;
        volatile String detail = "queued";
        long lastUsed = System.nanoTime();
        int leases;
        boolean evicted;

        Entry(Key key) {
            this.key = key;
            this.id = key.id();
        }

        /** Written by the loader thread only; web threads read the two volatile fields. */
        void report(double p, String d) {
            detail = d;
            progress = p;
            onProgress.accept(new Status(id, key.dtype(), State.LOADING, p, d, 0));
        }
    }

    private final ModelCatalog catalog;
    private final DeviceThread device;
    private final long budgetBytes;
    private final ExecutorService loader = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "lensboard-loader");
        t.setDaemon(true);
        return t;
    });
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    /** How many failed loads {@link #status} remembers, the oldest forgotten first: ids come from users. */
    private static final int FAILURES = 32;
    private final Map<Key, Status> failures = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Status> eldest) {
            return size() > FAILURES;
        }
    });

    /** Hears every progress report of every load, on the loader thread; for tests. */
    private final Consumer<Status> onProgress;

    public ModelPool(ModelCatalog catalog, DeviceThread device, long budgetBytes) {
        this(catalog, device, budgetBytes, status -> {});
    }

    ModelPool(ModelCatalog catalog, DeviceThread device, long budgetBytes, Consumer<Status> onProgress) {
        this.catalog = catalog;
        this.device = device;
        this.budgetBytes = budgetBytes;
        this.onProgress = onProgress;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public DeviceThread device() {
        return device;
    }

    /** {@code id} in {@code dtype}, or in its catalog default where {@code dtype} is null. */
    public Key key(String id, Dtype dtype) {
        ModelRef ref = ModelRef.parse(id);
        return new Key(ref.id(), dtype != null ? dtype : catalog.defaultDtype(ref));
    }

    /** Starts loading {@code id} in its default dtype, or joins the load already under way. */
    public CompletableFuture<LoadedModel> load(String id) {
        return load(id, null);
    }

    /**
     * Starts loading {@code id} held in {@code dtype} (null: the catalog's default for it), or joins the load
     * already under way; unknown local ids fail at once.
     */
    public CompletableFuture<LoadedModel> load(String id, Dtype dtype) {
        ModelRef ref = catalog.check(id);
        Key k = key(ref.id(), dtype);
        Entry entry = entries.computeIfAbsent(k, key -> {
            Entry e = new Entry(key);
            failures.remove(key);
            loader.execute(() -> loadInto(e, ref));
            return e;
        });
        return entry.future;
    }

    private void loadInto(Entry e, ModelRef ref) {
        try {
            boolean hub = ref.isHybrid() ? ref.stem().isHub() || ref.stack().isHub() : ref.isHub();
            e.report(0, hub ? "downloading" : "reading");
            // A hub model's first load is mostly its download: 0..0.9 for the download, 0.9..1 for reading the
            // weights. A local model has nothing to download, so reading its weights is the whole bar, 0..1.
            double start = hub ? 0.9 : 0;
            HubClient.Progress download = (file, done, total) -> e.report(total > 0 ? 0.9 * done / total : 0,
                    "downloading " + file + (total > 0 ? " " + (100 * done / total) + "%" : ""));
            String phase = ref.untrained() ? "initialising" : "reading weights";
            LoadProgress reading = (name, done, total, bytesDone, bytesTotal) -> e.report(
                    // bytes measure the work better than tensors (an embedding outweighs a norm many times)
                    start + (1 - start) * Math.min(1, bytesTotal > 0 ? (double) bytesDone / bytesTotal : (double) done / total),
                    phase + ": " + done + " of " + total + " tensors (" + size(bytesDone, bytesTotal) + ")");
            LoadedModel model;
            if (ref.isHybrid()) {
                // the stem's and the stack's weights are reported one after the other, each 0..1 of its own tensors
                Path stem = catalog.locate(ref.stem(), download);
                Path stack = catalog.locate(ref.stack(), download);
                e.report(start, phase);
                ModelLoader.requireFloat32(e.key.dtype(), "a hybrid");
                model = ModelLoader.loadHybrid(ref.id(), stem, ref.stem().untrainedSeed(), stack,
                        ref.stack().untrainedSeed(), device.device(), reading, loadMemory());
            } else {
                Path dir = catalog.locate(ref, download);
                e.report(start, phase);
                model = ModelLoader.load(ref.id(), dir, ref.untrainedSeed(), e.key.dtype(), device.device(), reading, loadMemory());
            }
            e.progress = 1;
            e.detail = model.source() + ", " + model.dtype();
            synchronized (this) {
                e.lastUsed = System.nanoTime();
                e.future.complete(model);
            }
            evictOverBudget();
        } catch (Throwable t) {
            entries.remove(e.key, e);
            failures.put(e.key, new Status(e.id, e.key.dtype(), State.FAILED, 0, message(t), 0));
            e.future.completeExceptionally(t);
        }
    }

    /** What a load may allocate now: the device's free memory, with the budget and what the loaded models hold, for its message. */
    private LoadMemory loadMemory() {
        return LoadMemory.of(device.device(), budgetBytes, loaded().stream().mapToLong(LoadedModel::bytes).sum());
    }

    /**
     * Runs {@code work} on the device thread with {@code id} loaded and leased, so it cannot be evicted
     * meanwhile. Waits for the load first.
     */
    public <T> CompletableFuture<T> run(String id, Function<LoadedModel, T> work) {
        return run(id, null, work);
    }

    /** As {@link #run(String, Function)} with {@code id} held in {@code dtype} (null: its default). */
    public <T> CompletableFuture<T> run(String id, Dtype dtype, Function<LoadedModel, T> work) {
        return load(id, dtype).thenCompose(model -> {
            Lease lease = tryLease(model);
            if (lease == null) {
                return run(id, dtype, work);
            }
            return device.submit(() -> {
                TensorOwnership.requireOpen(model);
                T result = work.apply(model);
                TensorOwnership.requireOpen(model); // closed under the work: its result may be read off freed memory
                return result;
            }).whenComplete((r, t) -> lease.close());
        });
    }

    /** A model held in the pool for as long as the lease is open: it cannot be evicted meanwhile. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private final LoadedModel model;
        private boolean open = true;

        private Lease(Entry entry, LoadedModel model) {
            this.entry = entry;
            this.model = model;
        }

        /** The leased model; with the ownership check on, asking after {@link #close} fails. */
        public LoadedModel model() {
            if (TensorOwnership.CHECKED && !isOpen()) {
                throw new IllegalStateException("the lease on model '" + model.id() + "' was closed: the model may be evicted");
            }
            TensorOwnership.requireOpen(model);
            return model;
        }

        private synchronized boolean isOpen() {
            return open;
        }

        @Override
        public synchronized void close() {
            if (open) {
                open = false;
                release(entry);
            }
        }
    }

    /**
     * Loads {@code id} if needed (blocking) and leases it, for work that spans many device tasks, such
     * as an optimisation run whose every step is one task. Run the tensor work with {@link DeviceThread#submit}.
     */
    public Lease lease(String id) {
        return lease(id, null);
    }

    /** As {@link #lease(String)} with {@code id} held in {@code dtype} (null: its default). */
    public Lease lease(String id, Dtype dtype) {
        Lease lease = tryLease(load(id, dtype).join());
        return lease != null ? lease : lease(id, dtype);
    }

    /** A lease on {@code model}, or null if it was evicted between its load and now (then load it again). */
    private synchronized Lease tryLease(LoadedModel model) {
        Entry e = entries.get(new Key(model.id(), model.dtype()));
        if (e == null || !isLoaded(e) || e.future.join() != model) {
            return null;
        }
        e.leases++;
        e.lastUsed = System.nanoTime();
        return new Lease(e, model);
    }

    private void release(Entry e) {
        synchronized (this) {
            e.leases--;
        }
        evictOverBudget();
    }

    /**
     * Closes idle models, least recently used first, until the pool fits its budget. The most recently used model
     * always stays (it was just loaded or used), whoever calls: a load and a release that both check the budget,
     * in either order, leave it loaded.
     */
    private void evictOverBudget() {
        List<LoadedModel> toClose = new ArrayList<>();
        synchronized (this) {
            List<Entry> loaded = entries.values().stream().filter(this::isLoaded)
                    .sorted(Comparator.comparingLong(x -> x.lastUsed)).toList();
            long total = loaded.stream().mapToLong(e -> e.future.join().bytes()).sum();
            for (Entry e : loaded.subList(0, Math.max(0, loaded.size() - 1))) {
                if (total <= budgetBytes) {
                    break;
                }
                if (e.leases == 0) {
                    entries.remove(e.key, e);
                    e.evicted = true;
                    total -= e.future.join().bytes();
                    toClose.add(e.future.join());
                }
            }
        }
        toClose.forEach(LoadedModel::close);
    }

    private boolean isLoaded(Entry e) {
        return e.future.isDone() && !e.future.isCompletedExceptionally() && !e.evicted;
    }

    /** The model's state in its default dtype if it is loading, loaded or failed; empty if it is not in the pool. */
    public Optional<Status> status(String id) {
        return status(id, null);
    }

    /** As {@link #status(String)} for {@code id} held in {@code dtype} (null: its default). */
    public Optional<Status> status(String id, Dtype dtype) {
        Key k;
        try {
            k = key(id, dtype);
        } catch (InvalidModelIdException | UnknownModelException malformed) {
            return Optional.empty(); // never in the pool: a load refuses it first
        }
        Entry e = entries.get(k);
        if (e == null) {
            return Optional.ofNullable(failures.get(k));
        }
        if (isLoaded(e)) {
            return Optional.of(new Status(k.id(), k.dtype(), State.LOADED, 1, e.detail, e.future.join().bytes()));
        }
        return Optional.of(new Status(k.id(), k.dtype(), State.LOADING, e.progress, e.detail, 0));
    }

    /** Models in the pool, loaded ones with their config. */
    public List<LoadedModel> loaded() {
        return entries.values().stream().filter(this::isLoaded).map(e -> e.future.join()).toList();
    }

    /** How much of the memory budget the loaded models leave free, in bytes (what a replica reports to the cluster). */
    public long memoryFree() {
        return Math.max(0, budgetBytes - loaded().stream().mapToLong(LoadedModel::bytes).sum());
    }

    /** Entries loading or loaded; a failed load is not listed (its status stays readable a while). */
    public List<Key> keys() {
        return new ArrayList<>(entries.keySet());
    }

    /** "412 of 498 MB", in the unit of the total. */
    static String size(long done, long total) {
        String[] units = {"bytes", "kB", "MB", "GB"};
        int u = 0;
        double scale = 1;
        while (u < units.length - 1 && total >= 1000 * scale) {
            scale *= 1000;
            u++;
        }
        return u == 0 ? done + " of " + total + " bytes"
                : String.format(java.util.Locale.ROOT, total / scale < 10 ? "%.1f of %.1f %s" : "%.0f of %.0f %s",
                        done / scale, total / scale, units[u]);
    }

    public static String message(Throwable t) {
        return Futures.message(t);
    }

    @Override
    public void close() {
        loader.shutdownNow();
        synchronized (this) {
            entries.values().stream().filter(this::isLoaded).forEach(e -> e.future.join().close());
            entries.clear();
        }
    }
}
