package io.lensboard.model.checkpoint;

import io.lensboard.model.Weights;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * An untrained twin's parameters, drawn as Hugging Face initialises a fresh model: normal(0, std)
 * for matrices and embeddings, ones and zeros for norms and biases. Each tensor has its own seed from (seed, name),
 * and each block of {@link #BLOCK} values its own stream from that, so a twin is the same on every machine and
 * device, whatever the number of cores that drew it.
 *
 * <p>Normals come from the JDK's {@code SplittableRandom.nextGaussian} (McFarland's modified ziggurat, JDK 17+):
 * about 3.6 ns a value on one core here against 16 ns for Box-Muller's log, sin and cos, which is what brings a
 * 7B-shaped twin (6.9e9 values) under a minute. Twins drawn before this generator (Box-Muller, up to stop 19) had
 * other values; runs and analyses store their results, so saved ones are unchanged.
 */
public final class RandomInitWeights implements Weights {
    /** Values per block: the unit drawn by one stream, and in parallel with the other blocks. */
    static final int BLOCK = 1 << 20;
    /** Values {@link #read} hands on at a time (64 MiB of float32), so that no tensor needs a heap array of its own. */
    private static final int PIECE = 16 * BLOCK;
    /** SplittableRandom's increment of its state per draw (the JDK's GOLDEN_GAMMA). */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private final long seed;

    public RandomInitWeights(long seed) {
        this.seed = seed;
    }

    @Override
    public float[] get(String name, Init init, long... shape) {
        float[] out = new float[Math.toIntExact(count(shape))];
        draw(name, init, 0, out, out.length);
        return out;
    }

    @Override
    public void read(String name, Init init, long[] shape, Pieces pieces) {
        long n = count(shape);
        float[] buffer = new float[(int) Math.min(n, PIECE)];
        for (long first = 0; first < n; first += PIECE) {
            int count = (int) Math.min(PIECE, n - first);
            draw(name, init, first, buffer, count);
            pieces.piece(first, count, FloatBuffer.wrap(buffer, 0, count).slice());
        }
    }

    private static long count(long[] shape) {
        long count = 1;
        for (long s : shape) {
            count = Math.multiplyExact(count, s);
        }
        return count;
    }

    /** The tensor's values [first, first + count) into out[0..count), first a multiple of BLOCK; blocks in parallel. */
    private void draw(String name, Init init, long first, float[] out, int count) {
        if (init.std() == 0) {
            java.util.Arrays.fill(out, 0, count, init.constant());
            return;
        }
        long tensorSeed = seed * GOLDEN_GAMMA ^ name.hashCode();
        long firstBlock = first / BLOCK;
        IntStream.range(0, (int) (((long) count + BLOCK - 1) / BLOCK)).parallel().forEach(b -> {
            SplittableRandom rng = new SplittableRandom(blockSeed(tensorSeed, firstBlock + b));
            for (int i = b * BLOCK, end = (int) Math.min(count, (long) i + BLOCK); i < end; i++) {
                out[i] = (float) (rng.nextGaussian() * init.std());
            }
        });
    }

    /**
     * Block b's seed: the (b+1)-th value of the stream seeded with the tensor's seed (a SplittableRandom seeded s
     * draws mix(s + k·GOLDEN_GAMMA) for k = 1, 2, ...), computed without drawing the b before it.
     */
    static long blockSeed(long tensorSeed, long block) {
        return new SplittableRandom(tensorSeed + block * GOLDEN_GAMMA).nextLong();
    }

    @Override
    public String describe() {
        return "untrained, seed " + seed;
    }
}
