package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;

/**
 * Turns named weights into float32 arrays on the model's manager (and so its device), counting bytes. The
 * weights arrive in pieces ({@link Weights#read}); a piece in a direct buffer reaches native memory without a
 * Java heap array.
 */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager manager;
    private long bytes;

    ParameterLoader(Weights weights, NDManager manager) {
        this.weights = weights;
        this.manager = manager;
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
        bytes += 4L * full.size();
        out[0].setName(name);
        return out[0];
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
}
