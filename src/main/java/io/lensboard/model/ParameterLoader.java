package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Turns named weights into {@link Param}s held in the model's dtype on its manager (and so its device),
 * counting the bytes held. Each tensor passes through the Java heap as float32 on its own, so a half-precision
 * model never exists whole in float32.
 */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager manager;
    private final Dtype dtype;
    private long bytes;

    ParameterLoader(Weights weights, NDManager manager, Dtype dtype) {
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
    }

    /** A matrix or embedding, held in the model's dtype. */
    Param matrix(String name, Weights.Init init, long... shape) {
        Param p = Param.of(manager, name, dtype, weights.get(name, init, shape), new Shape(shape));
        bytes += p.bytes();
        return p;
    }

    /**
     * A norm's gain or a bias, held in float32 whatever the dtype: norms are computed in float32, and vectors are
     * under 0.1% of a model's bytes.
     */
    NDArray vector(String name, Weights.Init init, long length) {
        Param p = Param.of(manager, name, Dtype.FLOAT32, weights.get(name, init, length), new Shape(length));
        bytes += p.bytes();
        return p.f32(manager);
    }

    long bytes() {
        return bytes;
    }
}
