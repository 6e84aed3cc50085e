package io.lensboard.images;

import java.util.List;

/**
 * An image's activations in a model, for {@code GET /api/images/{id}/activations}: per layer (0 = the embeddings,
 * {@code blocks.0.hook_resid_pre}; l = {@code blocks.{l-1}.hook_resid_post}) the L2 norm of each token's residual
 * stream. Token 0 is CLS, token t >= 1 patch t - 1 of a grid x grid raster. {@code predictions}: the classifier's
 * top labels on CLS for a ViT that has one (empty otherwise).
 */
public record ImageActivationsResult(String image, String model, int tokens, int grid, List<Layer> layers,
                                     List<Prediction> predictions) {

    public record Layer(int layer, String hook, float[] norms) {}

    public record Prediction(String label, double probability) {}
}
