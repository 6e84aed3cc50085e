package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns named weights into arrays on the model's manager (and so its device), counting bytes: float32, or float64
 * for a cast copy ({@link Transformer#cast}), each kept under its name so the model can be cast later. The weights
 * arrive in pieces ({@link Weights#read}); a piece in a direct buffer reaches native memory without a Java heap array.
 */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager manager;
    private final DataType type;
    private final Map<String, NDArray> loaded = new LinkedHashMap<>();
    private long bytes;

    ParameterLoader(Weights weights, NDManager manager) {
        this(weights, manager, DataType.FLOAT32);
    }

    ParameterLoader(Weights weights, NDManager manager, DataType type) {
        this.weights = weights;
        this.manager = manager;
        this.type = type;
    }

    NDArray load(String name, Weights.Init init, long... shape) {
        Shape full = new Shape(shape);
        NDArray[] out = new NDArray[1];
        weights.read(name, init, shape, (first, count, values) -> {
            if (first == 0 && count == full.size()) {
                out[0] = owned(manager.create(values, full, DataType.FLOAT32), values);
                return;
            }
            if (out[0] == null) {
                out[0] = manager.create(full, DataType.FLOAT32); // uninitialised: every element arrives in a piece
            }
            try (NDArray piece = manager.create(values, new Shape(count), DataType.FLOAT32);
                 NDArray flat = out[0].reshape(-1)) { // a view: setting its elements fills out[0]
                flat.set(new NDIndex("{}:{}", first, first + count), piece);
            }
        });
        NDArray a = out[0];
        if (type != DataType.FLOAT32) {
            a = a.toType(type, false);
            out[0].close();
        }
        bytes += (long) type.getNumOfBytes() * full.size();
        a.setName(name);
        loaded.put(name, a);
        return a;
    }

    /**
     * On the CPU, DJL 0.32 wraps a direct buffer without copying (torch::from_blob, the array keeping the buffer);
     * the reader's buffer is a file mapping or reused, so the parameter gets its own copy. From a heap buffer,
     * or onto a GPU, DJL has copied already.
     */
    private NDArray owned(NDArray created, Buffer values) {
        if (!values.isDirect() || manager.getDevice().isGpu()) {
            return created;
        }
        NDArray copy = created.duplicate();
        created.close();
        return copy;
    }

    long bytes() {
        return bytes;
    }

    /** Every parameter by its checkpoint name, as loaded (before any transpose). */
    Map<String, NDArray> loaded() {
        return loaded;
    }
}
