package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** Parameters assembled from the pieces a checkpoint hands over, in direct or heap buffers. */
class ParameterLoaderTest {
    private static final long[] SHAPE = {3, 4};
    private static final float[] VALUES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    /** Values that bfloat16 (8 significant bits) must round, both ways and at ties (to even). */
    private static final float[] UNROUNDED = {1.00390625f, 1.01171875f, -3.0029297f, 257f, 259f, 0.1f, -1e-3f, 65535f, 3e38f,
            1.5f, -2.75f, 1e-20f};

    /** Weights that hand over {@code VALUES} in pieces of the given sizes, direct buffers at even pieces. */
    private static Weights inPieces(ByteBuffer[] reused, int... sizes) {
        return inPieces(VALUES, reused, sizes);
    }

    private static Weights inPieces(float[] values, ByteBuffer[] reused, int... sizes) {
        return new Weights() {
            @Override
            public float[] get(String name, Init init, long... shape) {
                throw new AssertionError("the loader reads pieces");
            }

            @Override
            public void read(String name, Init init, long[] shape, Pieces pieces) {
                int first = 0;
                for (int i = 0; i < sizes.length; i++) {
                    if (i % 2 == 0) {
                        ByteBuffer b = ByteBuffer.allocateDirect(4 * sizes[i]).order(ByteOrder.nativeOrder());
                        b.asFloatBuffer().put(values, first, sizes[i]);
                        reused[0] = b;
                        pieces.piece(first, sizes[i], b);
                    } else {
                        pieces.piece(first, sizes[i], FloatBuffer.wrap(values, first, sizes[i]).slice());
                    }
                    first += sizes[i];
                }
            }

            @Override
            public String describe() {
                return "pieces";
            }
        };
    }

    /** A direct buffer may be a file mapping or reused by the reader: the parameter must not share its memory. */
    @Test
    void aDirectPieceIsCopiedSoItsBufferMayBeReused() {
        ByteBuffer[] buffer = new ByteBuffer[1];
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray w = new ParameterLoader(inPieces(buffer, 12), manager).load("w", Weights.Init.ZEROS, SHAPE);
            buffer[0].asFloatBuffer().put(new float[12]); // the reader overwrites its buffer for the next tensor
            assertArrayEquals(VALUES, w.toFloatArray());
            assertArrayEquals(SHAPE, w.getShape().getShape());
            assertEquals("w", w.getName());
        }
    }

    @Test
    void piecesFillTheWholeTensorInOrder() {
        ByteBuffer[] buffer = new ByteBuffer[1];
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            ParameterLoader loader = new ParameterLoader(inPieces(buffer, 5, 4, 3), manager);
            NDArray w = loader.load("w", Weights.Init.ZEROS, SHAPE);
            assertArrayEquals(VALUES, w.toFloatArray());
            assertArrayEquals(SHAPE, w.getShape().getShape());
            assertEquals(48, loader.bytes());
        }
    }

    /** A bfloat16 matrix is rounded piece by piece into its own memory: each value to the nearest, ties to even. */
    @Test
    void aBfloat16MatrixRoundsEachPieceIntoPlace() {
        ByteBuffer[] buffer = new ByteBuffer[1];
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            ParameterLoader loader = new ParameterLoader(inPieces(UNROUNDED, buffer, 5, 4, 3), manager, Dtype.BFLOAT16);
            Param w = loader.matrix("w", Weights.Init.ZEROS, SHAPE);
            buffer[0].asFloatBuffer().put(new float[3]); // the reader's buffer, reused: the parameter has its own memory
            float[] expected = new float[UNROUNDED.length];
            for (int i = 0; i < expected.length; i++) {
                double ulp = Math.scalb(1.0, Math.getExponent(UNROUNDED[i]) - 7); // 8 significant bits
                expected[i] = (float) (Math.rint(UNROUNDED[i] / ulp) * ulp);
            }
            assertArrayEquals(expected, w.f32(manager).toFloatArray());
            assertEquals(24, loader.bytes(), "2 bytes a value");
        }
    }
}
