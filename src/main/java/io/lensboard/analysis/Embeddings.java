package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A run's embeddings for export, each [T, d] row-major: the target e, the start e_0 and the final e_N, in the
 * run's precision ({@code float64}: F64, else F32; the values are carried as doubles either way).
 */
public record Embeddings(int tokens, int width, boolean float64, double[] e, double[] e0, double[] eFinal) {

    /** The values of an embedding [1, T, d] as doubles (exact for float32 too). */
    static double[] values(NDArray a) {
        try (NDArray copy = a.toType(DataType.FLOAT64, true)) {
            return copy.toDoubleArray();
        }
    }
}
