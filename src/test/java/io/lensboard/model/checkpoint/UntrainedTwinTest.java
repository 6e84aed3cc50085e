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

    /**
     * Each block of values is its own stream, seeded from the tensor's: the values do not depend on how many cores
     * drew them, and read's pieces (more than one here) hold exactly get's array.
     */
    @Test
    void blocksAreStreamsOfTheirOwnAndPiecesMatchTheArray() {
        int block = RandomInitWeights.BLOCK;
        int n = 16 * block + block / 2 + 1; // two pieces, the last block partial, odd
        RandomInitWeights w = new RandomInitWeights(3);
        float[] whole = w.get("h.0.mlp.c_fc.weight", Init.normal(0.02), n);
        float[] pieced = new float[n];
        int[] pieces = {0};
        w.read("h.0.mlp.c_fc.weight", Init.normal(0.02), new long[] {n}, (first, count, values) -> {
            ((java.nio.FloatBuffer) values).get(pieced, (int) first, count);
            pieces[0]++;
        });
        assertEquals(2, pieces[0]);
        assertArrayEquals(whole, pieced);
        long tensorSeed = 3 * 0x9E3779B97F4A7C15L ^ "h.0.mlp.c_fc.weight".hashCode();
        for (int b : new int[] {0, 1, 16}) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(RandomInitWeights.blockSeed(tensorSeed, b));
            for (int i = b * block; i < Math.min(n, (b + 1) * block); i++) {
                assertEquals((float) (rng.nextGaussian() * 0.02), whole[i], "value " + i);
            }
        }
        // blockSeed(s, b) is the (b+1)-th draw of the tensor's own stream
        java.util.SplittableRandom stream = new java.util.SplittableRandom(tensorSeed);
        stream.nextLong();
        assertEquals(stream.nextLong(), RandomInitWeights.blockSeed(tensorSeed, 1));
        assertEquals(0.02, std(whole), 1e-4);
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
