package io.lensboard.lens;

import io.lensboard.analysis.LensResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One lens computation and every viewer following it (single flight). A viewer who joins late is told what it missed
 * (the tokens, the layers so far) with the next event, then the rest as it comes; all of it on the device thread,
 * in order, and the end on whichever thread finished the work (after the device task, so never concurrently).
 * A viewer who has gone is told nothing more.
 */
final class LensFlight {

    /** A viewer and how far it has been told. Read and written only by the thread that delivers. */
    private static final class Viewer {
        final LensListener listener;
        boolean toldStarted;
        int toldLayers;

        Viewer(LensListener listener) {
            this.listener = listener;
        }
    }

    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    private final CompletableFuture<LensResult> finished = new CompletableFuture<>();
    private final List<LensResult.Layer> layers = new ArrayList<>(); // the device thread's, then the finisher's
    private LensListener.Input input;

    LensFlight(LensListener first) {
        join(first);
    }

    /** Adds a viewer; the caller holds the service's lock, so that it cannot join a flight being stopped. */
    void join(LensListener listener) {
        viewers.add(new Viewer(listener));
    }

    /** Completes once every viewer has been told the end. */
    CompletableFuture<LensResult> finished() {
        return finished;
    }

    /** How many viewers are still there. */
    long viewers() {
        return present().size();
    }

    /** Whether some viewer is still there; asked under the service's lock before each layer. */
    boolean watched() {
        return viewers() > 0;
    }

    void started(LensListener.Input tokens) {
        input = tokens;
        catchUp();
    }

    void layer(LensResult.Layer layer) {
        layers.add(layer);
        catchUp();
    }

    /**
     * Tells every viewer what it has not been told yet, then the end: {@code result}, or {@code failure} if not null.
     * The future completes even if a viewer fails to take it, so that nobody waits for ever.
     */
    void finish(LensResult result, Throwable failure) {
        try {
            catchUp();
            for (Viewer v : present()) {
                if (failure != null) {
                    v.listener.failed(failure);
                } else {
                    v.listener.done(result);
                }
            }
        } finally {
            if (failure != null) {
                finished.completeExceptionally(failure);
            } else {
                finished.complete(result);
            }
        }
    }

    /** The viewers still there: one who has gone is told nothing more (rendering for it would be wasted). */
    private List<Viewer> present() {
        return viewers.stream().filter(v -> !v.listener.closed()).toList();
    }

    private void catchUp() {
        for (Viewer v : present()) {
            if (input != null && !v.toldStarted) {
                v.toldStarted = true;
                v.listener.started(input);
            }
            while (v.toldStarted && v.toldLayers < layers.size()) {
                v.listener.layer(layers.get(v.toldLayers++));
            }
        }
    }
}
