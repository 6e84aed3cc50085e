package io.lensboard.web;

import io.lensboard.analysis.LensResult;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.pool.ModelPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Recent lens results, so that switching the metric or clicking a cell re-renders without recomputing;
 * and the list of recent analyses for the home page. A link never depends on this cache: a miss computes.
 */
@ApplicationScoped
public class LensCache {
    private static final int RESULTS = 32;
    private static final int RECENT = 20;

    public record Key(String model, String prompt, int topk, boolean sub) {}

    private final Map<Key, LensResult> results = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, LensResult> eldest) {
            return size() > RESULTS;
        }
    };
    private final List<Key> recent = new ArrayList<>();

    @Inject
    ModelPool pool;

    public synchronized Optional<LensResult> cached(Key key) {
        return Optional.ofNullable(results.get(key));
    }

    /** Runs the lens on the model's device thread, streaming layers to {@code onLayer}, and remembers the result. */
    public CompletableFuture<LensResult> compute(Key key, Consumer<LensResult.Layer> onLayer) {
        LogitLens.Request request = new LogitLens.Request(key.prompt(), key.topk(), key.sub());
        return pool.run(key.model(), m -> LogitLens.run(m, request, onLayer)).thenApply(r -> {
            remember(key, r);
            return r;
        });
    }

    /** The cached result or a fresh one, blocking: for worker threads only. */
    public LensResult get(Key key) {
        return cached(key).orElseGet(() -> ApiErrors.await(compute(key, layer -> {})));
    }

    private synchronized void remember(Key key, LensResult result) {
        results.put(key, result);
        recent.remove(key);
        recent.add(0, key);
        if (recent.size() > RECENT) {
            recent.remove(recent.size() - 1);
        }
    }

    public synchronized List<Key> recent() {
        return List.copyOf(recent);
    }
}
