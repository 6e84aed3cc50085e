package io.lensboard.model.checkpoint;

import io.lensboard.model.Weights;
import java.util.SplittableRandom;

/**
 * An untrained twin's parameters, drawn as Hugging Face initialises a fresh model: normal(0, std)
 * for matrices and embeddings, ones and zeros for norms and biases. Each tensor has its own stream
 * seeded from (seed, name), so a twin is the same on every machine and device.
 */
public final class RandomInitWeights implements Weights {
    private final long seed;

    public RandomInitWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public float[] get(String name, Init init, long... shape) {
        long count = 1;
        for (long s : shape) {
            count = Math.multiplyExact(count, s);
        }
        float[] out = new float[Math.toIntExact(count)];
        if (init.std() == 0) {
            java.util.Arrays.fill(out, init.constant());
            return out;
        }
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        for (int i = 0; i < out.length; i += 2) {
            // Box-Muller: two normals per pair of uniforms.
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * init.std();
            out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return "untrained, seed " + seed;
    }
}
