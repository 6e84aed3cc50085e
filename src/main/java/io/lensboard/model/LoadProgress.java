package io.lensboard.model;

/**
 * Hears a model's parameters being read, one call per tensor on the loading thread, with the totals the
 * config implies ({@link ModelConfig#parameterTensors()}, {@link ModelConfig#parameterBytes()}), so a
 * listener can show "37 of 148 tensors". Bytes are float32 bytes, as the model holds them.
 */
@FunctionalInterface
public interface LoadProgress {

    void tensor(String name, int done, int total, long bytesDone, long bytesTotal);

    LoadProgress NONE = (name, done, total, bytesDone, bytesTotal) -> {};

    /** {@code weights} that tell {@code progress} of each tensor after reading it (by either method); values are passed through unchanged. */
    static Weights counting(Weights weights, ModelConfig config, LoadProgress progress) {
        int total = config.parameterTensors();
        long bytesTotal = config.parameterBytes();
        return new Weights() {
            private int done;
            private long bytesDone;

            @Override
            public float[] get(String name, Init init, long... shape) {
                float[] values = weights.get(name, init, shape);
                counted(name, values.length);
                return values;
            }

            @Override
            public void read(String name, Init init, long[] shape, Pieces pieces) {
                weights.read(name, init, shape, pieces);
                long elements = 1;
                for (long d : shape) {
                    elements *= d;
                }
                counted(name, elements);
            }

            private void counted(String name, long elements) {
                done++;
                bytesDone += 4L * elements;
                progress.tensor(name, done, total, bytesDone, bytesTotal);
            }

            @Override
            public String describe() {
                return weights.describe();
            }
        };
    }
}
