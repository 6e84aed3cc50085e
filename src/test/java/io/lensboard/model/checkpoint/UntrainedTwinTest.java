package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Weights.Init;
import io.lensboard.model.pool.ModelLoader;
import org.junit.jupiter.api.Test;

/** Untrained twins: Hugging Face's initialisation, seeded, with no weight file. */
class UntrainedTwinTest {

    @Test
    void gpt2SmallConfigLoadsAsUntrainedTwin() {
        try (LoadedModel m = ModelLoader.load("gpt2-small-config:untrained", Fixtures.dir("gpt2-small-config"), 0L, Device.cpu());
             ai.djl.ndarray.NDManager scope = m.newScope()) {
            assertEquals(12, m.config().nLayers());
            assertEquals(124_439_808L, m.bytes() / 4, "GPT-2 small's parameter count (tied head)");
            NDArray wte = m.transformer().tokenEmbedding(scope);
            assertEquals(0.0, wte.mean().getFloat(), 1e-4);
            assertEquals(0.02, std(wte), 2e-4, "normal(0, initializer_range)");
        }
    }

    @Test
    void initialisesAsHuggingFaceDoes() {
        RandomInitWeights w = new RandomInitWeights(0);
        float[] residual = w.get("h.0.attn.c_proj.weight", Init.normal(0.02 / Math.sqrt(24)), 768, 768);
        assertEquals(0.02 / Math.sqrt(24), std(residual), 1e-4, "residual projections scaled by 1/sqrt(2 n_layer)");
        assertArrayEquals(new float[] {1, 1, 1}, w.get("ln_1.weight", Init.ONES, 3));
        assertArrayEquals(new float[] {0, 0}, w.get("ln_1.bias", Init.ZEROS, 2));
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        float[] a = new RandomInitWeights(0).get("wte.weight", Init.normal(0.02), 100, 8);
        float[] b = new RandomInitWeights(0).get("wte.weight", Init.normal(0.02), 100, 8);
        float[] c = new RandomInitWeights(1).get("wte.weight", Init.normal(0.02), 100, 8);
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    /** Drawn in parallel slices, the values are exactly those of one sequential loop over the tensor's stream. */
    @Test
    void slicesDrawTheSequentialStream() {
        int n = 5_000_001; // more than two slices, odd
        float[] sliced = new RandomInitWeights(3).get("h.0.mlp.c_fc.weight", Init.normal(0.02), n);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3 * 0x9E3779B97F4A7C15L ^ "h.0.mlp.c_fc.weight".hashCode());
        float[] sequential = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * 0.02;
            sequential[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) {
                sequential[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        assertArrayEquals(sequential, sliced);
    }

    private static double std(NDArray a) {
        return std(a.toFloatArray());
    }

    private static double std(float[] v) {
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / v.length;
        return Math.sqrt(sq / v.length - mean * mean);
    }
}
