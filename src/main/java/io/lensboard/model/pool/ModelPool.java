package io.lensboard.model.pool;

import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.checkpoint.HubClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps models warm on the device. Concurrent first requests for one id share one load; a model in
 * use is never closed; after a load, least-recently-used idle models are closed until the resident
 * total fits the memory budget (the model just loaded always stays, even alone over budget).
 * Loading (download, file reading, initialisation) runs on a loader thread; all tensor work on
 * loaded models runs on the {@link DeviceThread}.
 */
public final class ModelPool implements AutoCloseable {

    public enum State { LOADING, LOADED, FAILED }

    /** What the catalog shows of a model: its state, load progress in 0..1 and a line of detail. */
    public record Status(String id, State state, double progress, String detail, long bytes) {}

    private final class Entry {
        final String id;
        final CompletableFuture<LoadedModel> future = new CompletableFuture<>();
        volatile double progress;
        volatile String detail = "queued";
        long lastUsed = System.nanoTime();
        int leases;
        boolean evicted;

        Entry(String id) {
            this.id = id;
        }

        /** Written by the loader thread only; web threads read the two volatile fields. */
        void report(double p, String d) {
            detail = d;
            progress = p;
            onProgress.accept(new Status(id, State.LOADING, p, d, 0));
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
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** How many failed loads {@link #status} remembers, the oldest forgotten first: ids come from users. */
    private static final int FAILURES = 32;
    private final Map<String, Status> failures = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Status> eldest) {
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

    /** Starts loading {@code id}, or joins the load already under way; unknown local ids fail at once. */
    public CompletableFuture<LoadedModel> load(String id) {
        ModelRef ref = catalog.check(id);
        Entry entry = entries.computeIfAbsent(ref.id(), key -> {
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
                model = ModelLoader.loadHybrid(ref.id(), stem, ref.stem().untrainedSeed(), stack,
                        ref.stack().untrainedSeed(), device.device(), reading);
            } else {
                Path dir = catalog.locate(ref, download);
                e.report(start, phase);
                model = ModelLoader.load(ref.id(), dir, ref.untrainedSeed(), device.device(), reading);
            }
            e.progress = 1;
            e.detail = model.source();
            synchronized (this) {
                e.lastUsed = System.nanoTime();
                e.future.complete(model);
            }
            evictOverBudget();
        } catch (Throwable t) {
            entries.remove(e.id, e);
            failures.put(e.id, new Status(e.id, State.FAILED, 0, message(t), 0));
            e.future.completeExceptionally(t);
        }
    }

    /**
     * Runs {@code work} on the device thread with {@code id} loaded and leased, so it cannot be evicted
     * meanwhile. Waits for the load first.
     */
    public <T> CompletableFuture<T> run(String id, Function<LoadedModel, T> work) {
        return load(id).thenCompose(model -> {
            Lease lease = tryLease(model);
            if (lease == null) {
                return run(id, work);
            }
            return device.submit(() -> work.apply(model)).whenComplete((r, t) -> lease.close());
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

        public LoadedModel model() {
            return model;
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
        Lease lease = tryLease(load(id).join());
        return lease != null ? lease : lease(id);
    }

    /** A lease on {@code model}, or null if it was evicted between its load and now (then load it again). */
    private synchronized Lease tryLease(LoadedModel model) {
        Entry e = entries.get(model.id());
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
                    entries.remove(e.id, e);
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

    /** The model's state if it is loading, loaded or failed; empty if it is not in the pool. */
    public Optional<Status> status(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            return Optional.ofNullable(failures.get(id));
        }
        if (isLoaded(e)) {
            return Optional.of(new Status(id, State.LOADED, 1, e.detail, e.future.join().bytes()));
        }
        return Optional.of(new Status(id, State.LOADING, e.progress, e.detail, 0));
    }

    /** Models in the pool, loaded ones with their config. */
    public List<LoadedModel> loaded() {
        return entries.values().stream().filter(this::isLoaded).map(e -> e.future.join()).toList();
    }

    /** How much of the memory budget the loaded models leave free, in bytes (what a replica reports to the cluster). */
    public long memoryFree() {
        return Math.max(0, budgetBytes - loaded().stream().mapToLong(LoadedModel::bytes).sum());
    }

    /** Models loading or loaded; a failed load is not listed (its status stays readable a while). */
    public List<String> ids() {
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
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
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
