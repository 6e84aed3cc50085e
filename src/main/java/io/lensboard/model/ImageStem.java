package io.lensboard.model;

import ai.djl.ndarray.NDArray;

/** A model whose input is pixel_values [B, C, H, W] rather than token ids: a ViT, or a hybrid on a ViT's stem. */
public interface ImageStem {

    /** Image size, patches, channels, labels and the preprocessing that makes pixel_values. */
    VisionConfig vision();

    /**
     * hook_embed: [CLS; x_p W_patch^T + b_patch for each patch p in raster order], [B, 1 + patches, d_model],
     * attached to the manager of {@code pixelValues}. Differentiable with respect to {@code pixelValues}; the
     * forward pass adds the position embeddings.
     */
    NDArray embedPixels(NDArray pixelValues);

    /** What a text analysis gets from an image model: a 422 that says what to use instead. */
    static CheckpointException notText() {
        return new CheckpointException("this model takes images (pixel_values), not text: it has no tokenizer or token "
                + "embedding; use it with an image (POST /api/images, then /images/{id}) or a text model for this analysis");
    }
}
