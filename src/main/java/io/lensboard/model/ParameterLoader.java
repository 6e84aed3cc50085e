package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Turns named weights into float32 arrays on the model's manager (and so its device), counting bytes. */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager manager;
    private long bytes;

    ParameterLoader(Weights weights, NDManager manager) {
        this.weights = weights;
        this.manager = manager;
    }

    NDArray load(String name, Weights.Init init, long... shape) {
        float[] values = weights.get(name, init, shape);
        bytes += 4L * values.length;
        NDArray a = manager.create(values, new Shape(shape));
        a.setName(name);
        return a;
    }

    long bytes() {
        return bytes;
    }
}
