package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * One parameter tensor, held in the model's {@link Dtype}, used in float32. A float32 parameter is used as it is
 * (a float64 cast copy's parameters are FLOAT32 ones holding float64 arrays, used as they are too).
 * A half-precision one is widened to float32 into the caller's scope each time it is used and dropped with that
 * scope, so only one block's matrices are ever float32 at once: on this CPU a float16 matrix product is 34x slower
 * than a float32 one (no half-precision vector instructions), while widening costs about what a copy does.
 */
public final class Param {
    private final NDArray stored;    // float32 or float16 [shape], or bfloat16 bits as UINT8 [.., 2 * last]
    private final Dtype dtype;
    private final Shape shape;       // as loaded, before any transpose
    private final boolean transposed;
    private final NDArray view;      // float32 only: what f32 returns (the transposed view made once, on the model's manager)

    private Param(NDArray stored, Dtype dtype, Shape shape, boolean transposed) {
        this.stored = stored;
        this.dtype = dtype;
        this.shape = shape;
        this.transposed = transposed;
        this.view = dtype != Dtype.FLOAT32 ? null : transposed ? stored.transpose() : stored;
    }

    /**
     * {@code assembled} (a parameter's values of {@code shape} as loaded: float32, or float64 in a cast copy) held as
     * {@code dtype} on {@code manager}; a FLOAT32 parameter keeps the assembled array as it is (so a cast copy's is
     * float64), a half-precision one is converted and the assembled array closed.
     */
    static Param of(NDManager manager, String name, Dtype dtype, NDArray assembled, Shape shape) {
        NDArray stored = switch (dtype) {
            case FLOAT32 -> assembled;
            case BFLOAT16 -> {
                NDArray bits = bfloat16Bits(manager, shape,
                        b -> NativeArrays.writeBf16(assembled.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer(), b));
                assembled.close();
                yield bits;
            }
            case FLOAT16 -> {
                NDArray half = assembled.toType(DataType.FLOAT16, false);
                assembled.close();
                yield half;
            }
        };
        stored.setName(name);
        return new Param(stored, dtype, shape, false);
    }

    /**
     * A bfloat16 parameter of {@code shape} whose bit patterns {@code fill} writes (little-endian, 2 bytes a value),
     * from float32 values that never form a whole float32 tensor (see {@link NativeArrays#writeBf16}).
     */
    static Param bfloat16(NDManager manager, String name, Shape shape, Consumer<ByteBuffer> fill) {
        NDArray bits = bfloat16Bits(manager, shape, fill);
        bits.setName(name);
        return new Param(bits, Dtype.BFLOAT16, shape, false);
    }

    private static NDArray bfloat16Bits(NDManager manager, Shape shape, Consumer<ByteBuffer> fill) {
        return NativeArrays.filled(manager, bitsShape(shape), DataType.UINT8, fill);
    }

    /** The same values, used transposed (a Linear weight stored [out, in], used as x·W). */
    Param transposed() {
        return new Param(stored, dtype, shape, !transposed);
    }

    /** The parameter in float32 for work in {@code scope}; a half-precision one is widened into {@code scope}. */
    NDArray f32(NDManager scope) {
        if (dtype == Dtype.FLOAT32) {
            return view;
        }
        NDArray wide = widen(stored, shape, scope);
        return transposed ? wide.transpose() : wide;
    }

    /** Rows of the untransposed parameter (an index on its first axis), float32, on {@code target}. */
    NDArray rows(NDManager target, NDIndex index) {
        NDArray picked = stored.get(target, index);
        if (dtype == Dtype.FLOAT32) {
            return picked;
        }
        Shape s = picked.getShape();
        Shape wide = dtype == Dtype.BFLOAT16 ? s.slice(0, s.dimension() - 1).add(s.get(s.dimension() - 1) / 2) : s;
        return widen(picked, wide, target);
    }

    /** Bytes held on the device (a cast copy's FLOAT32 parameters are float64). */
    long bytes() {
        return shape.size() * (dtype == Dtype.FLOAT32 ? stored.getDataType().getNumOfBytes() : dtype.bytes);
    }

    /** The checkpoint name. */
    String name() {
        return stored.getName();
    }

    /** The values as loaded (untransposed), row-major float32, for a cast copy to start from. */
    float[] floats() {
        try (NDManager scope = NDManager.newBaseManager(stored.getDevice())) {
            NDArray wide = dtype == Dtype.FLOAT32 ? stored : widen(stored, shape, scope);
            return wide.toFloatArray();
        }
    }

    private NDArray widen(NDArray held, Shape wide, NDManager scope) {
        if (dtype == Dtype.BFLOAT16) {
            return NativeArrays.widenBf16(held, wide, scope);
        }
        NDArray f = held.toType(DataType.FLOAT32, false);
        f.attach(scope);
        return f;
    }

    private static Shape bitsShape(Shape shape) {
        int last = shape.dimension() - 1;
        return shape.slice(0, last).add(shape.get(last) * 2);
    }
}
