package io.lensboard.model;

import java.nio.Buffer;
import java.nio.FloatBuffer;

/**
 * Where a model's parameters come from: a checkpoint on disk, or a seeded initialisation for an
 * untrained twin. Names are Hugging Face's without the {@code transformer.}/{@code model.} prefix.
 */
public interface Weights {

    /** How Hugging Face initialises a parameter of an untrained model; a checkpoint ignores it. */
    record Init(double std, float constant) {
        public static Init normal(double std) {
            return new Init(std, 0f);
        }

        public static final Init ONES = new Init(0, 1f);
        public static final Init ZEROS = new Init(0, 0f);
    }

    /** The tensor {@code name} as row-major float32, checked against {@code shape}. */
    float[] get(String name, Init init, long... shape);

    /** Receives a tensor's row-major float32 values a run of elements at a time. */
    @FunctionalInterface
    interface Pieces {
        /**
         * Elements [first, first + count) in {@code values}: a FloatBuffer, or a direct ByteBuffer in native byte
         * order ({@code order()} says so) holding 4·count bytes from position 0, which may be a read-only mapping
         * of the checkpoint file or a buffer the reader reuses, so it is valid only during this call.
         */
        void piece(long first, int count, Buffer values);
    }

    /**
     * The tensor {@code name}, checked against {@code shape}, handed to {@code pieces} in order. Checkpoint files
     * override this to pass memory-mapped file regions (or blocks decoded into one reused native buffer), so that
     * no Java heap array holds a parameter and a tensor larger than one buffer still loads; by default it is
     * {@link #get}'s array in one piece.
     */
    default void read(String name, Init init, long[] shape, Pieces pieces) {
        float[] values = get(name, init, shape);
        pieces.piece(0, values.length, FloatBuffer.wrap(values));
    }

    /** A short description for errors and the catalog ("model.safetensors", "untrained, seed 0"). */
    String describe();
}
