package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns named weights into {@link Param}s on the model's manager (and so its device), counting the bytes held:
 * matrices in the model's dtype, vectors in float32; or every parameter in float64 for a cast copy
 * ({@link Transformer#cast}). Each is kept under its name so the model can be cast later. The weights arrive in
 * pieces ({@link Weights#read}); a piece in a direct buffer reaches native memory without a Java heap array, and a
 * tensor is converted to the dtype once assembled, so a half-precision model never exists whole in float32.
 */
final class ParameterLoader {
    private final Weights weights;
    private final NDManager manager;
    private final Dtype dtype;
    private final DataType type;
    private final Map<String, Param> loaded = new LinkedHashMap<>();
    private long bytes;

    ParameterLoader(Weights weights, NDManager manager) {
        this(weights, manager, Dtype.FLOAT32, DataType.FLOAT32);
    }

    ParameterLoader(Weights weights, NDManager manager, Dtype dtype) {
        this(weights, manager, dtype, DataType.FLOAT32);
    }

    /** A cast copy: every parameter of {@code type} (float64), none in half precision. */
    ParameterLoader(Weights weights, NDManager manager, DataType type) {
        this(weights, manager, Dtype.FLOAT32, type);
    }

    private ParameterLoader(Weights weights, NDManager manager, Dtype dtype, DataType type) {
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
        this.type = type;
    }

    /**
     * A matrix or embedding, held in the model's dtype. In bfloat16 each piece is rounded straight into the
     * parameter's memory: no float32 copy of the tensor is made (a 7B twin's init spent a third of its time on one).
     */
    Param matrix(String name, Weights.Init init, long... shape) {
        if (dtype == Dtype.BFLOAT16 && type == DataType.FLOAT32) {
            return keep(Param.bfloat16(manager, name, new Shape(shape), bits -> weights.read(name, init, shape,
                    (first, count, values) -> NativeArrays.writeBf16(floats(values, count),
                            bits.slice(Math.toIntExact(2 * first), 2 * count).order(ByteOrder.LITTLE_ENDIAN)))));
        }
        return keep(Param.of(manager, name, dtype, assemble(name, init, shape), new Shape(shape)));
    }

    /** A piece's values as floats: a FloatBuffer as it is, a direct ByteBuffer read in the order it declares. */
    private static FloatBuffer floats(Buffer values, int count) {
        if (values instanceof FloatBuffer f) {
            return f.slice(f.position(), count);
        }
        ByteBuffer bytes = (ByteBuffer) values;
        return bytes.slice(0, 4 * count).order(bytes.order()).asFloatBuffer();
    }

    /**
     * A norm's gain, a bias or any parameter of an architecture without half precision, held in float32 (float64
     * in a cast copy) whatever the dtype: norms are computed in float32, and vectors are under 0.1% of a model's bytes.
     */
    NDArray load(String name, Weights.Init init, long... shape) {
        return keep(Param.of(manager, name, Dtype.FLOAT32, assemble(name, init, shape), new Shape(shape))).f32(manager);
    }

    private Param keep(Param p) {
        bytes += p.bytes();
        loaded.put(p.name(), p);
        return p;
    }

    /** The tensor as one array of {@code type} on the manager, assembled from its pieces. */
    private NDArray assemble(String name, Weights.Init init, long... shape) {
        Shape full = new Shape(shape);
        NDArray[] out = new NDArray[1];
        weights.read(name, init, shape, (first, count, values) -> {
            if (first == 0 && count == full.size()) {
                out[0] = values.isDirect() ? owned(manager.create(values, full, DataType.FLOAT32))
                        : NativeArrays.filled(manager, full, DataType.FLOAT32, b -> NativeArrays.writeFloats((FloatBuffer) values, b));
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
        return a;
    }

    /**
     * On the CPU, DJL 0.32 wraps a direct buffer without copying (torch::from_blob, the array keeping the buffer);
     * the reader's buffer is a file mapping or reused, so the parameter gets its own copy. Onto a GPU, DJL has
     * copied already. (A heap buffer is written straight into an array PyTorch allocated: {@link NativeArrays}.)
     */
    private NDArray owned(NDArray created) {
        if (manager.getDevice().isGpu()) {
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
    Map<String, Param> loaded() {
        return loaded;
    }
}
