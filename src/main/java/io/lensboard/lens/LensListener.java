package io.lensboard.lens;

import io.lensboard.analysis.LensResult;
import java.util.List;

/**
 * Follows one lens as {@link LensService#stream} computes it: the input tokens first, then each layer as
 * soon as it is decoded (layer 0 first), then exactly one of {@link #done} or {@link #failed}. The first
 * two are called on the device thread, the last two on whichever thread finished the work; none is ever
 * called on a Vert.x event loop by the service.
 */
public interface LensListener {

    /** The prompt as the model tokenized it, and the model's block count (the output row's layer). */
    record Input(String model, String prompt, List<LensResult.Token> tokens, int nLayers) {}

    void started(Input input);

    void layer(LensResult.Layer layer);

    void done(LensResult result);

    /** The model could not be loaded, the prompt does not fit it, or the computation failed. */
    void failed(Throwable failure);

    /**
     * Whether this viewer has gone (its connection closed); it is then told nothing more. Once every viewer of a
     * computation has gone, the computation stops at its next layer (its futures fail with a CancellationException).
     */
    default boolean closed() {
        return false;
    }
}
