package io.lensboard.lens;

import io.lensboard.Futures;
import io.lensboard.Threads;

import io.lensboard.analysis.LensResult;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.TunedLensWeights;
import io.lensboard.model.pool.ModelFacts;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The logit lens for every page and API call: tokenize, cache, single flight, pool lease and streaming in one place.
 * Tokenizing, the forward pass and the per-layer decoding run as one task on the model's device thread,
 * under the pool's lease (so the model cannot be evicted meanwhile); identical requests in flight share that task
 * ({@link LensFlight}), which stops once nobody follows it; results are remembered for re-rendering and for the
 * home page's recent analyses.
 */
@ApplicationScoped
public class LensService {

    @Inject
    ModelPool pool;

    @Inject
    TunedLenses tuned;

    @Inject
    ModelFacts facts;

    private final LensCache cache = new LensCache();
    private final Map<LensQuery, LensFlight> inFlight = new HashMap<>(); // guarded by itself
    private final AtomicLong computations = new AtomicLong();
    private final AtomicLong stopped = new AtomicLong();

    /** A caller of {@link #get}: waits for the result, and never leaves. */
    private static final LensListener WAITER = new LensListener() {
        @Override
        public void started(Input input) {}

        @Override
        public void layer(LensResult.Layer layer) {}

        @Override
        public void done(LensResult result) {}

        @Override
        public void failed(Throwable failure) {}
    };

    /**
     * Fails with {@code UnknownModelException} for an id the catalog cannot resolve, {@code UnknownLensException} for a
     * tuned lens that is nowhere, and a 422 for one that does not fit a local model; returns the query. A tuned lens
     * is read here (worker threads only), so that the device thread finds it read.
     */
    public LensQuery check(LensQuery query) {
        ModelRef ref = pool.catalog().check(query.model());
        if (query.lensId() != null) {
            var lens = tuned.load(query.lensId());
            // a hub model's config is known once it is downloaded: checked then, on the device thread
            facts.config(ref).ifPresent(c -> lens.checkFits(c, query.model()));
        }
        // a component past a known model's blocks is refused here; a hub model's, once loaded (LogitLens.tokenize)
        if (query.ablation().ablates()) {
            facts.config(ref).ifPresent(c -> query.ablation().check(c));
        }
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
            Futures.join(pool.run(query.model(), query.dtype(), m -> LogitLens.tokenize(m, request)));
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
        return Futures.join(flight(query, WAITER));
    }

    /**
     * Computes the lens on the model's device thread (loading the model first if need be), telling
     * {@code listener} the tokens, each layer as it is decoded, and the end; the result is remembered.
     * Returns at once. An identical request in flight is joined rather than computed again; once every
     * viewer of a computation is {@link LensListener#closed closed}, it stops at the next layer.
     */
    public CompletableFuture<LensResult> stream(LensQuery query, LensListener listener) {
        return flight(query, listener);
    }

    /** How many lens computations this service has started: identical requests in flight share one. */
    public long computations() {
        return computations.get();
    }

    /** How many of those stopped before their last layer because every viewer had gone. */
    public long stopped() {
        return stopped.get();
    }

    /** How many viewers still follow the query's computation in flight (0 when none is in flight). */
    public long viewers(LensQuery query) {
        synchronized (inFlight) {
            LensFlight flight = inFlight.get(query);
            return flight == null ? 0 : flight.viewers();
        }
    }

    /**
     * Joins the query's computation in flight, or starts one (single flight: the query names the model, the prompt and
     * so the tokens, and every option that changes the result). Its end is told to every viewer before the returned
     * future completes.
     */
    private CompletableFuture<LensResult> flight(LensQuery query, LensListener listener) {
        LensFlight flight;
        synchronized (inFlight) {
            LensFlight joined = inFlight.get(query);
            if (joined != null) {
                joined.join(listener);
                return joined.finished().copy();
            }
            flight = new LensFlight(listener);
            inFlight.put(query, flight);
            computations.incrementAndGet();
        }
        compute(query, flight).whenComplete((result, failure) -> {
            if (result != null) {
                cache.put(query, result);
            }
            synchronized (inFlight) {
                inFlight.remove(query, flight);
            }
            flight.finish(result, failure == null ? null : Futures.cause(failure));
        });
        return flight.finished().copy();
    }

    private CompletableFuture<LensResult> compute(LensQuery query, LensFlight flight) {
        LogitLens.Request request = query.request();
        // A tuned lens is read on its reader thread first: the device thread never reads files. An unknown model
        // (pool.run throws at once) fails the returned future, and so is told to the viewers like any other failure.
        CompletableFuture<TunedLensWeights> tunedLens = query.lensId() == null ? CompletableFuture.completedFuture(null)
                : tuned.loadAsync(query.lensId());
        return tunedLens.thenCompose(lens -> pool.run(query.model(), query.dtype(), m -> {
            // On the device thread, inside the lease: the tokens reported are the ones the lens decodes.
            long[] ids = LogitLens.tokenize(m, request);
            flight.started(new LensListener.Input(m.id(), m.dtype().id, request.prompt(), LogitLens.tokens(m, ids), m.config().nLayers()));
            if (lens != null) {
                lens.checkFits(m.config(), m.id());
            }
            return LogitLens.run(m, request, ids, lens, flight::layer, () -> abandoned(query, flight));
        }));
    }

    /**
     * Whether every viewer of {@code flight} has left; if so it leaves the in-flight map at once, under the same lock
     * as joining, so that a request arriving now starts a computation of its own rather than joining a stopping one.
     */
    private boolean abandoned(LensQuery query, LensFlight flight) {
        synchronized (inFlight) {
            if (flight.watched()) {
                return false;
            }
            inFlight.remove(query, flight);
            stopped.incrementAndGet();
            return true;
        }
    }

    /** The most recent lenses computed, newest first. */
    public List<LensQuery> recent() {
        return cache.recent();
    }
}
