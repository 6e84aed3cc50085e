package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;

/**
 * O^l_f: a feature of block l's output ({@code blocks.{l-1}.hook_resid_post}, l 1-based) read off a
 * truncated model that stops after block l. Differentiable with respect to the input embeddings.
 */
public record Feature(int layer, FeatureSlice slice) {

    /** Which positions count. */
    public enum Read {
        /** the mean over the slice's positions (all of them for ':') and its neurons */
        SLICE,
        /** the mean over the slice's neurons at the last position (greedy search) */
        LAST,
        /** the sum over all positions of the mean over the neurons (the write-up's check on greedy search) */
        SUM
    }

    public Feature {
        if (layer < 1) {
            throw new InvalidInputException("layer is 1-based (block l's output); got " + layer);
        }
    }

    /** Checks the layer and neurons against the model. */
    public Feature checkFor(LoadedModel model) {
        if (layer > model.config().nLayers()) {
            throw new InvalidInputException("layer must be between 1 and " + model.config().nLayers() + " for " + model.id()
                    + ", got " + layer);
        }
        slice.checkNeurons(model.config().dModel());
        return this;
    }

    /** The feature's value for each input of a batch of embeddings [B, T, d]: [B]. */
    public NDArray values(LoadedModel model, NDArray embeds, Read read) {
        return values(model, embeds, read, null);
    }

    /** The same for inputs that continue {@code past}'s prefix (null: none), read at the new positions only. */
    public NDArray values(LoadedModel model, NDArray embeds, Read read, Transformer.Past past) {
        return read(model.transformer().forward(embeds, Forward.residualAfter(layer), ActivationCache.none(), past), read);
    }

    /** The feature's value read off block l's output [B, T, d_model]: [B]. */
    public NDArray read(NDArray out, Read read) {
        FeatureSlice.Range n = slice.neurons();
        NDArray neurons = n.all() ? out : out.get(new NDIndex(":, :, {}:{}", n.start(), n.end()));
        NDArray perPosition = neurons.mean(new int[] {2}); // [B, T]
        return switch (read) {
            case LAST -> perPosition.get(new NDIndex(":, -1"));
            case SUM -> perPosition.sum(new int[] {1});
            case SLICE -> {
                FeatureSlice.Range p = slice.positions();
                yield (p.all() ? perPosition : perPosition.get(new NDIndex(":, {}:{}", p.start(), p.end()))).mean(new int[] {1});
            }
        };
    }
}
