package io.lensboard.lens;

import io.lensboard.Threads;

import io.lensboard.analysis.LensResult;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.pool.ModelPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The logit lens for every page and API call: tokenize, cache, pool lease and streaming in one place.
 * Tokenizing, the forward pass and the per-layer decoding run as one task on the model's device thread,
 * under the pool's lease (so the model cannot be evicted meanwhile); results are remembered for
 * re-rendering and for the home page's recent analyses.
 */
@ApplicationScoped
public class LensService {

    @Inject
    ModelPool pool;

    private final LensCache cache = new LensCache();

    /** Fails with {@code UnknownModelException} for an id the catalog cannot resolve; returns the query. */
    public LensQuery check(LensQuery query) {
        pool.catalog().check(query.model());
        return query;
    }

    /**
     * {@link #check}, then loads the model and tokenizes the prompt to refuse one longer than the context
     * ({@code InvalidInputException}): for a stream, which must fail before it starts. Blocking: worker threads only.
     */
    public LensQuery checkTokens(LensQuery query) {
        check(query);
        if (cache.get(query).isEmpty()) {
            Threads.blocking("tokenizing for the lens");
            LogitLens.Request request = query.request();
            join(pool.run(query.model(), m -> LogitLens.tokenize(m, request)));
        }
        return query;
    }

    public Optional<LensResult> cached(LensQuery query) {
        return cache.get(query);
    }

    /** The cached result or a fresh one, blocking: for worker threads only. Failures are rethrown unwrapped. */
    public LensResult get(LensQuery query) {
        Optional<LensResult> cached = cache.get(query);
        if (cached.isPresent()) {
            return cached.get();
        }
        Threads.blocking("waiting for the lens");
        return join(compute(query, null));
    }

    private static <T> T join(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Computes the lens on the model's device thread (loading the model first if need be), telling
     * {@code listener} the tokens, each layer as it is decoded, and the end; the result is remembered.
     * Returns at once. A listener whose viewer left should just drop what it is told: the lens finishes.
     */
    public CompletableFuture<LensResult> stream(LensQuery query, LensListener listener) {
        return compute(query, listener).whenComplete((result, failure) -> {
            if (failure != null) {
                listener.failed(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
            } else {
                listener.done(result);
            }
        });
    }

    private CompletableFuture<LensResult> compute(LensQuery query, LensListener listener) {
        LogitLens.Request request = query.request();
        CompletableFuture<LensResult> work;
        try {
            work = pool.run(query.model(), m -> {
                // On the device thread, inside the lease: the tokens reported are the ones the lens decodes.
                long[] ids = LogitLens.tokenize(m, request);
                if (listener != null) {
                    listener.started(new LensListener.Input(m.id(), request.prompt(), LogitLens.tokens(m, ids), m.config().nLayers()));
                }
                return LogitLens.run(m, request, ids, listener == null ? layer -> {} : listener::layer, () -> false);
            });
        } catch (RuntimeException unknownModel) {
            work = CompletableFuture.failedFuture(unknownModel); // told to the listener like any other failure
        }
        return work.thenApply(result -> {
            cache.put(query, result);
            return result;
        });
    }

    /** The most recent lenses computed, newest first. */
    public List<LensQuery> recent() {
        return cache.recent();
    }
}
