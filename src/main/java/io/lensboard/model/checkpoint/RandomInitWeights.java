package io.lensboard.model.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.Weights;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;

/**
 * An untrained twin's parameters, drawn as Hugging Face initialises a fresh model: normal(0, std)
 * for matrices and embeddings, ones and zeros for norms and biases. Each tensor has its own stream
 * seeded from (seed, name), so a twin is the same on every machine and device.
 */
public final class RandomInitWeights implements Weights {
    /** SplittableRandom's increment of its state per draw (JDK's GOLDEN_GAMMA): how a slice jumps ahead in the stream. */
    static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    /** Pairs of normals drawn per slice: 32 MB of uniforms in native memory. */
    private static final int SLICE = 1 << 21;

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
        // The uniforms come from one SplittableRandom stream, two per pair; the transcendental functions run
        // vectorised in PyTorch, in float64 like Math's, a slice at a time: a 7B model's 6.7e9 normals take
        // seconds, not the minutes of a Java loop of log, cos and sin.
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            for (int p0 = 0; p0 < pairs; p0 += SLICE) {
                int n = Math.min(SLICE, pairs - p0);
                try (NDManager slice = manager.newSubManager()) {
                    boxMuller(uniforms(slice, new SplittableRandom(start + 2L * p0 * GOLDEN_GAMMA), n), init.std(), out, 2 * p0);
                }
            }
        }
        return out;
    }

    /** [n, 2] of (1 - U, U'): the stream a SplittableRandom seeded with the slice's start draws, in order. */
    private static NDArray uniforms(NDManager slice, SplittableRandom rng, int n) {
        NDArray u = slice.create(new Shape(n, 2), DataType.FLOAT64);
        DoubleBuffer b = u.toByteBuffer(true).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        for (int i = 0; i < n; i++) {
            b.put(2 * i, 1.0 - rng.nextDouble());
            b.put(2 * i + 1, rng.nextDouble());
        }
        return u;
    }

    /**
     * Box-Muller: r = sqrt(-2 ln u1) std, then r cos(2 pi u2) and r sin(2 pi u2), written as float32 from {@code at}.
     * In place where DJL has the operation: each new array is fresh memory to fault in.
     */
    private static void boxMuller(NDArray u, double std, float[] out, int at) {
        NDArray r = u.get(":, 0").log().muli(-2.0).sqrt().muli(std);
        NDArray angle = u.get(":, 1").muli(2 * Math.PI);
        NDArray z = angle.cos().muli(r).stack(angle.sin().muli(r), 1).toType(DataType.FLOAT32, false);
        z.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out, at, Math.min(2 * (int) u.getShape().get(0), out.length - at));
    }

    @Override
    public String describe() {
        return "untrained, seed " + seed;
    }
}
