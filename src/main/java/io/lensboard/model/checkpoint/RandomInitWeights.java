package io.lensboard.model.checkpoint;

import io.lensboard.model.Weights;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * An untrained twin's parameters, drawn as Hugging Face initialises a fresh model: normal(0, std)
 * for matrices and embeddings, ones and zeros for norms and biases. Each tensor has its own stream
 * seeded from (seed, name), so a twin is the same on every machine and device.
 */
public final class RandomInitWeights implements Weights {
    /** SplittableRandom's increment of its state per draw (the JDK's GOLDEN_GAMMA): how a slice jumps ahead. */
    static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    /** Pairs of normals per slice; slices are drawn in parallel. */
    private static final int SLICE = 1 << 20;

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
        long start = seed * 0x9E3779B97F4A7C15L ^ name.hashCode();
        int pairs = (out.length + 1) / 2;
        // One stream per tensor, two draws per pair. A SplittableRandom seeded s draws mix(s + k·GOLDEN_GAMMA) for
        // k = 1, 2, ..., so one seeded s + 2p·GOLDEN_GAMMA draws exactly what the tensor's stream draws from pair p
        // on: slices on every core give the values one sequential loop gives (a 7B twin has 6.7e9 normals).
        IntStream.range(0, (pairs + SLICE - 1) / SLICE).parallel().forEach(slice -> {
            int from = slice * SLICE;
            draw(new SplittableRandom(start + 2L * from * GOLDEN_GAMMA), init.std(), out, 2 * from, 2 * Math.min(pairs, from + SLICE));
        });
        return out;
    }

    /** Box-Muller into out[from..to): two normals per pair of uniforms. */
    private static void draw(SplittableRandom rng, double std, float[] out, int from, int to) {
        for (int i = from; i < to && i < out.length; i += 2) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * std;
            out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
    }

    @Override
    public String describe() {
        return "untrained, seed " + seed;
    }
}
