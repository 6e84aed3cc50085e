package io.lensboard.lens;

import io.lensboard.LensboardConfig;
import io.lensboard.Threads;
import io.lensboard.analysis.LensResult;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.TunedLensWeights;
import io.lensboard.model.checkpoint.HubClient;
import io.lensboard.model.checkpoint.LensCatalog;
import io.lensboard.model.checkpoint.TunedLensFiles;
import io.lensboard.model.pool.ModelCatalog;
import io.lensboard.model.pool.ModelPool;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The tuned lenses this service can decode with: the directories of {@code lensboard.lenses.dirs}, then the data
 * directory's {@code lenses/} (where trained lenses are saved), then the hub. The few lenses used last stay read;
 * a local lens is read again when its files change (a lens retrained under the same name). Lenses are read on
 * reader threads of their own, one read per id however many ask, each under {@link #DEADLINE}: a lens whose files
 * are hostile or slow to arrive holds up only the callers of that id, never another lens nor the device thread.
 */
@ApplicationScoped
public class TunedLenses {
    private static final int KEEP = 4;
    /** How long one lens may take to read (and download); past it the read is stopped and its callers get a 422. */
    static final Duration DEADLINE = Duration.ofSeconds(60);
    /** How many different lenses may be read at once; one more is answered 503 at once rather than queued. */
    private static final int READERS = 8;

    /** A lens as {@code GET /api/lenses} lists it: its config, the local models it fits, or why it cannot be read. */
    public record LensInfo(String id, String baseModel, Integer dModel, Integer numHiddenLayers, Boolean bias, String lensType,
                           List<String> models, String error) {}

    private record Loaded(long stamp, TunedLensWeights weights) {}

    @Inject
    LensboardConfig config;

    @Inject
    ModelPool pool;

    @Inject
    HubClient hub;

    private LensCatalog catalog;

    private final SingleFlight<TunedLensWeights> reads = new SingleFlight<>("lensboard-lens-reader", READERS, DEADLINE,
            id -> new CheckpointException("the tuned lens '" + id + "' was not read within " + DEADLINE.toSeconds()
                    + " s (its files are too large or arrive too slowly); its reading was stopped"),
            id -> new UncheckedIOException("the tuned lens '" + id + "' cannot be read now: " + READERS
                    + " other lenses are being read; try again shortly", new IOException("every lens reader is busy")));

    /** Guarded by itself. */
    private final Map<String, Loaded> loaded = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
            return size() > KEEP;
        }
    };

    @PostConstruct
    void init() {
        List<Path> dirs = new ArrayList<>(config.lenses().dirs().orElse(List.of()).stream()
                .map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList());
        dirs.add(trainedDir());
        catalog = new LensCatalog(dirs, hub);
    }

    /** Where trained lenses are saved, one directory per lens id, in the published format. */
    public Path trainedDir() {
        return Path.of(config.dataDir()).resolve("lenses");
    }

    /**
     * The lens {@code id} (reading or downloading it unless it is held), or {@code UnknownLensException} (404),
     * {@code CheckpointException} (422) for files that cannot be used or are not read by the deadline,
     * {@link UncheckedIOException} (503) when the hub cannot be reached. Blocking: worker threads only.
     */
    public TunedLensWeights load(String id) {
        Threads.blocking("reading a tuned lens");
        return reads.get(id, () -> read(id));
    }

    /** {@link #load(String)} without waiting: for work bound for the device thread, which must find the lens read. */
    public CompletableFuture<TunedLensWeights> loadAsync(String id) {
        return reads.start(id, () -> read(id));
    }

    /** On a reader thread: the held lens, or the lens read again when it is new or its files changed. */
    private TunedLensWeights read(String id) {
        Loaded held;
        synchronized (loaded) {
            held = loaded.get(id);
        }
        if (held != null && id.startsWith("hf:")) {
            return held.weights(); // a hub lens is a snapshot: asking the hub again would cost a request per lens
        }
        try {
            Path dir = catalog.locate(id);
            long stamp = stamp(dir);
            if (held == null || held.stamp() != stamp) {
                held = new Loaded(stamp, TunedLensFiles.read(dir, id));
                synchronized (loaded) {
                    loaded.put(id, held);
                }
            }
            return held.weights();
        } catch (IOException e) {
            throw new UncheckedIOException("the tuned lens '" + id + "' cannot be fetched: " + e.getMessage(), e);
        } catch (StackOverflowError | OutOfMemoryError e) { // thrown by this read alone: its arrays are garbage now
            throw new CheckpointException("the tuned lens '" + id + "' cannot be read: its files need more "
                    + (e instanceof StackOverflowError ? "nesting" : "memory") + " than this server gives a lens", e);
        }
    }

    @PreDestroy
    void close() {
        reads.close();
    }

    /** The decoders a lens page offers for {@code model}: the logit lens, every local tuned lens that fits it, and {@code current}. */
    public List<String> decoders(String model, String current) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        out.add(LensResult.LOGIT);
        list().stream().filter(l -> l.models().contains(model)).forEach(l -> out.add(LensResult.TUNED + l.id()));
        out.add(current);
        return List.copyOf(out);
    }

    /** Every local lens with the local models it fits (same d_model and layer count), in the directories' order. */
    public List<LensInfo> list() {
        Threads.blocking("listing tuned lenses");
        ModelCatalog models = pool.catalog();
        List<LensInfo> out = new ArrayList<>();
        for (LensCatalog.LocalLens lens : catalog.local()) {
            try {
                TunedLensFiles.Config c = TunedLensFiles.config(lens.path());
                List<String> fits = models.local().stream().filter(m -> fits(models, m, c)).map(ModelCatalog.LocalModel::id).toList();
                out.add(new LensInfo(lens.id(), c.baseModel(), c.dModel(), c.layers(), c.bias(), c.lensType(), fits, null));
            } catch (RuntimeException e) {
                out.add(new LensInfo(lens.id(), null, null, null, null, null, List.of(), e.getMessage()));
            }
        }
        return out;
    }

    private static boolean fits(ModelCatalog models, ModelCatalog.LocalModel m, TunedLensFiles.Config c) {
        try {
            ModelConfig mc = models.config(m);
            return mc.dModel() == c.dModel() && mc.nLayers() == c.layers();
        } catch (RuntimeException unreadable) {
            return false; // a model whose config cannot be read fits no lens; the models list says why
        }
    }

    /** The newest modification time among a lens directory's files: a retrained lens is read again. */
    private static long stamp(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            Optional<Long> newest = files.map(f -> f.toFile().lastModified()).max(Long::compare);
            return newest.orElse(0L);
        }
    }
}
