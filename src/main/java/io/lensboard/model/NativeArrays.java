package io.lensboard.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Writes and reads the memory of native arrays directly. {@code manager.create(float[])} would keep the values in
 * a Java direct buffer (freed by the garbage collector, capped by -XX:MaxDirectMemorySize), so a model's weights
 * are written instead into an array PyTorch allocated, through the direct buffer DJL hands out for a contiguous
 * CPU array; the pool then counts memory PyTorch really holds. bfloat16 has no DJL data type (creating one aborts
 * the JVM in DJL 0.32 and 0.36 alike), so it is held as its raw 16-bit patterns in a UINT8 array of twice the last
 * dimension and widened here: float32 bits = bfloat16 bits << 16.
 */
final class NativeArrays {
    /** Below this many elements a conversion runs on the calling thread; above, in parallel slices. */
    private static final int PARALLEL = 1 << 20;

    private NativeArrays() {}

    /** A new array of {@code shape} on {@code manager}'s device whose bytes {@code fill} writes (little-endian). */
    static NDArray filled(NDManager manager, Shape shape, DataType type, Consumer<ByteBuffer> fill) {
        if (manager.getDevice().isGpu()) {
            // The direct buffer of a GPU array is a host copy: write on the CPU, then move it.
            try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
                NDArray a = filled(host, shape, type, fill).toDevice(manager.getDevice(), true);
                a.attach(manager);
                return a;
            }
        }
        NDArray a = manager.create(shape, type);
        fill.accept(a.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN));
        return a;
    }

    /** float32 values as float32 (copied into native memory). */
    static void writeFloats(FloatBuffer values, ByteBuffer dst) {
        dst.asFloatBuffer().put(values.duplicate());
    }

    /** float32 values rounded to the nearest bfloat16 (ties to even; NaN stays NaN), as bit patterns. */
    static void writeBf16(FloatBuffer values, ByteBuffer dst) {
        ShortBuffer out = dst.asShortBuffer();
        slices(values.capacity(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = values.get(i);
                int bits = Float.floatToRawIntBits(v);
                int rounded = Float.isNaN(v) ? (bits >>> 16) | 0x40 : (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
                out.put(i, (short) rounded);
            }
        });
    }

    /** bfloat16 bit patterns (a UINT8 array, last dimension doubled) widened to float32 [shape] in {@code scope}. */
    static NDArray widenBf16(NDArray bits, Shape shape, NDManager scope) {
        ShortBuffer in = bits.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        return filled(scope, shape, DataType.FLOAT32, dst -> {
            FloatBuffer out = dst.asFloatBuffer();
            slices(out.capacity(), (from, to) -> {
                for (int i = from; i < to; i++) {
                    out.put(i, Float.intBitsToFloat(in.get(i) << 16));
                }
            });
        });
    }

    private interface Slice {
        void run(int from, int to);
    }

    /** Runs {@code slice} over 0..n, in parallel slices when n is large (absolute indexing: no shared position). */
    private static void slices(int n, Slice slice) {
        if (n < PARALLEL) {
            slice.run(0, n);
            return;
        }
        int parts = Math.max(1, Math.min(64, n / PARALLEL));
        IntStream.range(0, parts).parallel().forEach(p -> slice.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }
}
