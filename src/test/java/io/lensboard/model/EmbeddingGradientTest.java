package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.lensboard.Fixtures;
import io.lensboard.model.pool.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Gradients with respect to input embeddings, which feature visualization and input reconstruction
 * climb, against central finite differences of the same float32 forward pass.
 */
class EmbeddingGradientTest {

    @ParameterizedTest(name = "{0}, {1} blocks")
    @CsvSource({"gpt2-tiny, 2", "gpt2-tiny, 4", "llama-tiny, 3", "stories260K/hf, 5"})
    void embeddingGradientMatchesFiniteDifferences(String model, int blocks) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu());
             NDManager scope = m.newScope()) {
            Transformer tf = m.transformer();
            long[] ids = m.tokenizer().encode("The sky is blue.");
            NDArray e = tf.embed(scope.create(ids).reshape(1, ids.length));
            Forward truncated = Forward.residualAfter(blocks);
            // A scalar objective touching every position: sum of the residual stream against fixed weights.
            NDArray weights = scope.randomNormal(e.getShape().slice(0, 2).add(m.config().dModel()));

            e.setRequiresGradient(true);
            float[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(tf.forward(e, truncated, ActivationCache.none()).mul(weights).sum());
                grad = e.getGradient().toFloatArray();
            }

            float[] base = e.stopGradient().toFloatArray();
            double h = 1e-2;
            int d = m.config().dModel();
            int[] probes = {0, 7, d + 3, (ids.length - 1) * d + d - 1};
            for (int index : probes) {
                double numeric = (objective(tf, scope, e, base, index, h, truncated, weights)
                        - objective(tf, scope, e, base, index, -h, truncated, weights)) / (2 * h);
                assertEquals(numeric, grad[index], 2e-2 * Math.max(1, Math.abs(numeric)),
                        "d objective / d e[" + index + "]");
            }
        }
    }

    private static double objective(Transformer tf, NDManager scope, NDArray e, float[] base, int index, double delta,
                                    Forward spec, NDArray weights) {
        float[] shifted = base.clone();
        shifted[index] += (float) delta;
        try (NDManager probe = scope.newSubManager()) {
            NDArray x = probe.create(shifted, e.getShape()).toType(DataType.FLOAT32, false);
            return tf.forward(x, spec, ActivationCache.none()).mul(weights).sum().getFloat();
        }
    }
}
