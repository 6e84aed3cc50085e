package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns named weights into arrays of one type (float32, or float64 for a cast copy) on the model's manager (and so
 * its device), counting bytes and keeping each array under its name, so the model can be cast later.
 */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager manager;
    private final DataType type;
    private final Map<String, NDArray> loaded = new LinkedHashMap<>();
    private long bytes;

    ParameterLoader(Weights weights, NDManager manager, DataType type) {
        this.weights = weights;
        this.manager = manager;
        this.type = type;
    }

    NDArray load(String name, Weights.Init init, long... shape) {
        float[] values = weights.get(name, init, shape);
        bytes += (long) type.getNumOfBytes() * values.length;
        NDArray a = manager.create(values, new Shape(shape));
        if (type != DataType.FLOAT32) {
            a = a.toType(type, false);
        }
        a.setName(name);
        loaded.put(name, a);
        return a;
    }

    long bytes() {
        return bytes;
    }

    /** Every parameter by its checkpoint name, as loaded (before any transpose). */
    Map<String, NDArray> loaded() {
        return loaded;
    }
}
