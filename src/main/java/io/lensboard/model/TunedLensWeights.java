package io.lensboard.model;

import java.util.List;

/**
 * A tuned lens (Belrose et al. 2023): one affine translator per layer l = 0 (the embeddings) … L−1, read from its
 * {@code config.json} and {@code params.pt}. {@code weights.get(l)} is A_l as nn.Linear stores it ([d_out, d_in]
 * row-major); {@code biases.get(l)} is b_l, or null without bias. The last layer has none: it is the model's output.
 */
public record TunedLensWeights(String id, int dModel, int layers, String baseModel, String lensType,
                               List<float[]> weights, List<float[]> biases) {

    /** A lens fits a model with its width and block count; anything else is refused with a 422. */
    public void checkFits(ModelConfig model, String modelId) {
        if (model.dModel() != dModel || model.nLayers() != layers) {
            throw new CheckpointException("the tuned lens '" + id + "' has d_model " + dModel + " and num_hidden_layers " + layers
                    + " (made for " + (baseModel == null ? "an unnamed model" : baseModel) + "); " + modelId + " has d_model "
                    + model.dModel() + " and " + model.nLayers() + " layers: pick a lens made for it (GET /api/lenses)");
        }
    }

    /** Parameters in bytes, for the lens cache's budget. */
    public long bytes() {
        return 4L * layers * ((long) dModel * dModel + (biases.isEmpty() || biases.get(0) == null ? 0 : dModel));
    }
}
