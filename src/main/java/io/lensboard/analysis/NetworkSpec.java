package io.lensboard.analysis;

import ai.djl.ndarray.NDManager;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;

/**
 * Which O_l a sentence-representation run goes through and in what precision: the model's first {@code blocks}
 * blocks (then optionally the final norm and the LM head), or a toy seeded by {@code seed} on the model's token
 * embedding (the toys ignore blocks, norm and head).
 */
public record NetworkSpec(Network network, int blocks, boolean finalNorm, boolean lmHead, long seed, Precision precision) {

    /** Today's default: the truncated transformer in float32. */
    public static NetworkSpec transformer(int blocks, boolean finalNorm, boolean lmHead) {
        return new NetworkSpec(Network.TRANSFORMER, blocks, finalNorm, lmHead, 0, Precision.FLOAT32);
    }

    /** O_l for inputs of T tokens; its weights (a toy's, or the model's cast to float64) are owned by {@code run}. */
    public TargetNetwork build(LoadedModel model, int tokens, NDManager run) {
        if (network != Network.TRANSFORMER) {
            return ToyNetworks.build(network, tokens, model.config().dModel(), seed, precision.type(), run);
        }
        Transformer tf = precision == Precision.FLOAT32 ? model.transformer() : model.transformer().cast(precision.type(), run);
        Forward spec = new Forward(blocks, finalNorm, lmHead);
        return e -> tf.forward(e, spec, ActivationCache.none());
    }
}
