package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An optimisation's arrays as bytes, for a checkpoint that resumes it: type, shape and the raw IEEE bits in the
 * tensor's own (native) byte order, so a restored float32 or float64 array is the saved one to the bit.
 */
public final class Snapshots {
    private Snapshots() {}

    /** Writes the array's type, shape and bits. */
    public static void write(DataOutput out, NDArray a) {
        try {
            out.writeUTF(a.getDataType().name());
            long[] shape = a.getShape().getShape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            byte[] bits = a.toByteArray();
            out.writeInt(bits.length);
            out.write(bits);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An array written by {@link #write}, owned by {@code manager} (and on its device). */
    public static NDArray read(DataInput in, NDManager manager) {
        try {
            DataType type = DataType.valueOf(in.readUTF());
            long[] shape = new long[in.readInt()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong();
            }
            byte[] bits = new byte[in.readInt()];
            in.readFully(bits);
            // toByteArray wrote the tensor's memory as it is, in the platform's order
            ByteBuffer buffer = ByteBuffer.allocateDirect(bits.length).order(ByteOrder.nativeOrder());
            buffer.put(bits).rewind();
            return manager.create(buffer, new Shape(shape), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks that a restored array fits the one it replaces (a checkpoint of other parameters is refused). */
    static NDArray like(NDArray restored, NDArray current, String name) {
        if (!restored.getShape().equals(current.getShape()) || restored.getDataType() != current.getDataType()) {
            throw new IllegalStateException("the checkpoint's " + name + " is " + restored.getDataType() + restored.getShape()
                    + ", the run's " + current.getDataType() + current.getShape());
        }
        return restored;
    }

    /**
     * The step count n, an array optimised in place and Adam's moments (null: plain gradient steps), as the image
     * optimisations save themselves between steps.
     */
    static void writeStep(DataOutput out, int n, NDArray x, Adam adam) throws IOException {
        out.writeInt(n);
        write(out, x);
        if (adam != null) {
            adam.save(out);
        }
    }

    /** What {@link #writeStep} wrote, read back into x (named {@code name} in a refusal) and adam; returns n. */
    static int readStep(DataInput in, NDManager run, NDArray x, Adam adam, String name) throws IOException {
        int n = in.readInt();
        x.set(like(read(in, run), x, name).toFloatArray());
        if (adam != null) {
            adam.restore(in, run);
        }
        return n;
    }
}
