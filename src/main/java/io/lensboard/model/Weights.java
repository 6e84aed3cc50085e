package io.lensboard.model;

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

    /** A short description for errors and the catalog ("model.safetensors", "untrained, seed 0"). */
    String describe();
}
