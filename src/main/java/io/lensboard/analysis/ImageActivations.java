package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.VisionConfig;
import java.awt.image.BufferedImage;

/**
 * An image model's activations: pixel_values from a picture, the hidden states (layer 0 the embeddings
 * {@code blocks.0.hook_resid_pre}, layer l block l's output {@code blocks.{l-1}.hook_resid_post}, before any final
 * norm, as Hugging Face's output_hidden_states), block outputs and features read off them. Token 0 is CLS, token
 * t >= 1 patch t - 1 in raster order. Everything is differentiable with respect to pixel_values.
 */
public final class ImageActivations {
    private ImageActivations() {}

    /** pixel_values [1, C, H, W] for {@code image}, preprocessed as the model's processor says, in {@code scope}. */
    public static NDArray pixelValues(LoadedModel model, BufferedImage image, NDManager scope) {
        VisionConfig v = model.images().vision();
        float[] values = v.processor().pixelValues(image, v.channels());
        return scope.create(values, new Shape(1, v.channels(), v.imageSize(), v.imageSize()));
    }

    /** hidden_states [L + 1, T, d] for one image's pixel_values [1, C, H, W]. */
    public static NDArray hiddenStates(LoadedModel model, NDArray pixelValues) {
        int layers = model.config().nLayers();
        ActivationCache cache = ActivationCache.of(name -> name.equals(Hooks.residPre(0)) || name.endsWith(".hook_resid_post"));
        NDArray last = model.transformer().forward(model.images().embedPixels(pixelValues), Forward.residualAfter(layers), cache);
        NDList states = new NDList(layers + 1);
        states.add(layers == 0 ? last : cache.get(Hooks.residPre(0)));
        for (int l = 0; l < layers; l++) {
            states.add(cache.get(Hooks.residPost(l)));
        }
        return NDArrays.concat(states, 0);
    }

    /** Block {@code layer}'s output (1-based; 0 = the embeddings) [B, T, d] for pixel_values [B, C, H, W]. */
    public static NDArray blockOutput(LoadedModel model, int layer, NDArray pixelValues) {
        return model.transformer().forward(model.images().embedPixels(pixelValues), Forward.residualAfter(layer),
                ActivationCache.none());
    }

    /** The feature's value f(x) [B]: the mean of its slice of block l's output. */
    public static NDArray feature(LoadedModel model, Feature feature, NDArray pixelValues) {
        return feature.values(model, model.images().embedPixels(pixelValues), Feature.Read.SLICE);
    }
}
