package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * Each quantised GGUF block type decoded from a block made by hand: the test chooses the scale, minimum and quants,
 * packs them as ggml-common.h lays the block out, and works out each value from the format's definition
 * (ggml-quants.c's dequantize_row_*). Literal bytes check the bit positions independently of the test's packing.
 */
class GgufBlocksTest {
    // IEEE half-precision bit patterns of the scales used here
    private static final short HALF_2 = 0x4000;
    private static final short HALF_1 = 0x3c00;
    private static final short HALF_HALF = 0x3800;
    private static final short HALF_QUARTER = 0x3400;
    private static final short HALF_EIGHTH = 0x3000;
    private static final short HALF_MINUS_1 = (short) 0xbc00;

    /** Q4_0: x = d·(q − 8), q the low nibble of qs[j] for value j and its high nibble for value j + 16. */
    @Test
    void q4_0() {
        ByteBuffer b = le(18).putShort(HALF_HALF);
        for (int j = 0; j < 16; j++) {
            b.put((byte) (j | (15 - j) << 4));
        }
        float[] y = decode(StoredType.Q4_0, b);
        for (int j = 0; j < 16; j++) {
            assertClose(0.5 * (j - 8), y[j], "value " + j);
            assertClose(0.5 * (15 - j - 8), y[j + 16], "value " + (j + 16));
        }
        assertClose(-4, y[0], "qs[0] = 0xF0: low nibble 0");
        assertClose(3.5, y[16], "qs[0] = 0xF0: high nibble 15");
    }

    /** Q4_1: x = d·q + m. */
    @Test
    void q4_1() {
        ByteBuffer b = le(20).putShort(HALF_QUARTER).putShort(HALF_MINUS_1);
        for (int j = 0; j < 16; j++) {
            b.put((byte) ((15 - j) | j << 4));
        }
        float[] y = decode(StoredType.Q4_1, b);
        for (int j = 0; j < 16; j++) {
            assertClose(0.25 * (15 - j) - 1, y[j], "value " + j);
            assertClose(0.25 * j - 1, y[j + 16], "value " + (j + 16));
        }
    }

    /** Q5_0: x = d·(q − 16), q's fifth bit for value k being bit k of the little-endian 32-bit qh. */
    @Test
    void q5_0() {
        byte[] qh = {0x0f, 0x0f, (byte) 0xa5, (byte) 0xa5};
        ByteBuffer b = le(22).putShort(HALF_2).put(qh);
        for (int j = 0; j < 16; j++) {
            b.put((byte) (j | ((j * 7) & 15) << 4));
        }
        float[] y = decode(StoredType.Q5_0, b);
        for (int j = 0; j < 16; j++) {
            assertClose(2.0 * ((j | bit(qh, j) << 4) - 16), y[j], "value " + j);
            assertClose(2.0 * ((((j * 7) & 15) | bit(qh, j + 16) << 4) - 16), y[j + 16], "value " + (j + 16));
        }
        assertClose(0, y[0], "low nibble 0 with bit 0 of qh (0x0f) set: 16 - 16");
        assertClose(-24, y[4], "low nibble 4, bit 4 of qh clear: 4 - 16");
        assertClose(2 * (7 - 16), y[17], "high nibble of qs[1] = 7, bit 17 of qh (0xa5 in byte 2, bit 1) clear");
        assertClose(2 * (0 + 16 - 16), y[16], "high nibble of qs[0] = 0, bit 16 of qh set");
    }

    /** Q5_1: x = d·q + m, q as in Q5_0. */
    @Test
    void q5_1() {
        byte[] qh = {0x0f, 0x0f, (byte) 0xa5, (byte) 0xa5};
        ByteBuffer b = le(24).putShort(HALF_HALF).putShort(HALF_1).put(qh);
        for (int j = 0; j < 16; j++) {
            b.put((byte) (j | ((j * 7) & 15) << 4));
        }
        float[] y = decode(StoredType.Q5_1, b);
        for (int j = 0; j < 16; j++) {
            assertClose(0.5 * (j | bit(qh, j) << 4) + 1, y[j], "value " + j);
            assertClose(0.5 * (((j * 7) & 15) | bit(qh, j + 16) << 4) + 1, y[j + 16], "value " + (j + 16));
        }
    }

    /** Q8_0: x = d·q, q a signed byte. */
    @Test
    void q8_0() {
        ByteBuffer b = le(34).putShort(HALF_QUARTER);
        for (int j = 0; j < 32; j++) {
            b.put((byte) (j * 8 - 128));
        }
        float[] y = decode(StoredType.Q8_0, b);
        for (int j = 0; j < 32; j++) {
            assertClose(0.25 * (j * 8 - 128), y[j], "value " + j);
        }
    }

    /** The 12 scale bytes of Q4_K and Q5_K, unpacked by hand from literal bytes. */
    @Test
    void kQuantScalesAndMinimums() {
        ByteBuffer s = le(12).put(new byte[] {(byte) 0xc1, 2, 3, 4, 0x40, 5, 10, 0x3f, 0x21, 1, 15, 8});
        assertEquals(1, GgufBlocks.scale(s, 0, 0), "0xc1 & 63");
        assertEquals(0, GgufBlocks.minimum(s, 0, 0), "0x40 & 63");
        assertEquals(63, GgufBlocks.minimum(s, 0, 3), "0x3f & 63");
        assertEquals(49, GgufBlocks.scale(s, 0, 4), "low 4 bits 0x21 & 15 = 1, high 2 bits 0xc1 >> 6 = 3: 1 + 48");
        assertEquals(18, GgufBlocks.minimum(s, 0, 4), "low 4 bits 0x21 >> 4 = 2, high 2 bits 0x40 >> 6 = 1: 2 + 16");
        assertEquals(8, GgufBlocks.scale(s, 0, 7), "low 4 bits 8 & 15, high bits of 4 >> 6 = 0");
        assertEquals(0, GgufBlocks.minimum(s, 0, 7), "8 >> 4 = 0, 0x3f >> 6 = 0");
    }

    private static final int[] SCALES = {1, 2, 3, 4, 33, 17, 63, 40};
    private static final int[] MINIMUMS = {0, 5, 10, 63, 32, 16, 1, 2};

    /** Q4_K: eight sub-blocks of 32, x = d·s·q − dmin·m; sub-blocks 2i, 2i+1 are low, high nibbles of qs[32i..]. */
    @Test
    void q4_K() {
        int[] q = new int[256];
        byte[] qs = new byte[128];
        for (int e = 0; e < 256; e++) {
            q[e] = (e * 5 + 3) % 16;
            int sub = e / 32;
            qs[32 * (sub / 2) + e % 32] |= (byte) (q[e] << (4 * (sub % 2)));
        }
        ByteBuffer b = le(144).putShort(HALF_HALF).putShort(HALF_QUARTER).put(packScales()).put(qs);
        float[] y = decode(StoredType.Q4_K, b);
        for (int e = 0; e < 256; e++) {
            int sub = e / 32;
            assertClose(0.5 * SCALES[sub] * q[e] - 0.25 * MINIMUMS[sub], y[e], "value " + e);
        }
    }

    /** Q5_K: Q4_K's nibbles plus a fifth bit, bit `sub` of qh[l] for value l of sub-block `sub`. */
    @Test
    void q5_K() {
        int[] q = new int[256];
        byte[] qh = new byte[32];
        byte[] qs = new byte[128];
        for (int e = 0; e < 256; e++) {
            q[e] = (e * 11 + 7) % 32;
            int sub = e / 32;
            qs[32 * (sub / 2) + e % 32] |= (byte) ((q[e] & 15) << (4 * (sub % 2)));
            qh[e % 32] |= (byte) ((q[e] >> 4) << sub);
        }
        ByteBuffer b = le(176).putShort(HALF_QUARTER).putShort(HALF_EIGHTH).put(packScales()).put(qh).put(qs);
        float[] y = decode(StoredType.Q5_K, b);
        for (int e = 0; e < 256; e++) {
            int sub = e / 32;
            assertClose(0.25 * SCALES[sub] * q[e] - 0.125 * MINIMUMS[sub], y[e], "value " + e);
        }
    }

    /**
     * Q6_K: x = d·s·(q − 32) with sixteen int8 scales, one per 16 values. In each half of 128, value 32k + l has its low
     * 4 bits in ql[64·half + l + 32·(k mod 2)] (low nibble for k < 2, high for k ≥ 2), its high 2 bits at bit 2k of
     * qh[32·half + l], and scale scales[8·half + l/16 + 2k].
     */
    @Test
    void q6_K() {
        int[] q = new int[256];
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        byte[] scales = {-3, 5, 127, -128, 1, 2, 3, 4, 9, -9, 16, -16, 60, 70, -1, 0};
        for (int e = 0; e < 256; e++) {
            q[e] = (e * 13 + 5) % 64;
            int half = e / 128;
            int k = e % 128 / 32;
            int l = e % 32;
            ql[64 * half + l + 32 * (k % 2)] |= (byte) ((q[e] & 15) << (4 * (k / 2)));
            qh[32 * half + l] |= (byte) ((q[e] >> 4) << (2 * k));
        }
        ByteBuffer b = le(210).put(ql).put(qh).put(scales).putShort(HALF_EIGHTH);
        float[] y = decode(StoredType.Q6_K, b);
        for (int e = 0; e < 256; e++) {
            int half = e / 128;
            int k = e % 128 / 32;
            int l = e % 32;
            assertClose(0.125 * scales[8 * half + l / 16 + 2 * k] * (q[e] - 32), y[e], "value " + e);
        }
        assertClose(0.125 * scales[12] * (q[200] - 32), y[200], "value 200: second half, k = 2, l = 8: scale 12");
    }

    /** Q8_K: a float32 scale, 256 signed bytes, then 16 int16 sums the dequantisation ignores. */
    @Test
    void q8_K() {
        ByteBuffer b = le(292).putFloat(0.01f);
        for (int j = 0; j < 256; j++) {
            b.put((byte) (j * 37 % 256 - 128));
        }
        for (int j = 0; j < 16; j++) {
            b.putShort((short) 12345);
        }
        float[] y = decode(StoredType.Q8_K, b);
        for (int j = 0; j < 256; j++) {
            assertClose(0.01 * (j * 37 % 256 - 128), y[j], "value " + j);
        }
    }

    /** Several blocks in a row are decoded back to back, each consuming exactly its bytes. */
    @Test
    void consecutiveBlocksStayAligned() {
        ByteBuffer b = le(2 * 18);
        for (int blk = 0; blk < 2; blk++) {
            b.putShort(blk == 0 ? HALF_1 : HALF_2);
            for (int j = 0; j < 16; j++) {
                b.put((byte) 0x9a); // low nibble 10, high 9
            }
        }
        b.flip();
        FloatBuffer out = FloatBuffer.allocate(64);
        StoredType.Q4_0.decode(b, out, 2);
        assertEquals(36, b.position());
        assertClose(2, out.get(0), "block 0: 1·(10 − 8)");
        assertClose(1, out.get(16), "block 0: 1·(9 − 8)");
        assertClose(4, out.get(32), "block 1: 2·(10 − 8)");
        assertClose(2, out.get(63), "block 1: 2·(9 − 8)");
    }

    /**
     * The K-quant scale bytes for {@link #SCALES} and {@link #MINIMUMS}: bytes 0-3 hold scales 0-3 in their low 6 bits
     * and the top 2 bits of scales 4-7; bytes 4-7 the same for minimums; bytes 8-11 the low 4 bits of scale j+4 (low
     * nibble) and minimum j+4 (high nibble).
     */
    private static byte[] packScales() {
        byte[] s = new byte[12];
        for (int j = 0; j < 4; j++) {
            s[j] = (byte) (SCALES[j] | (SCALES[j + 4] >> 4) << 6);
            s[j + 4] = (byte) (MINIMUMS[j] | (MINIMUMS[j + 4] >> 4) << 6);
            s[j + 8] = (byte) ((SCALES[j + 4] & 15) | (MINIMUMS[j + 4] & 15) << 4);
        }
        return s;
    }

    private static float[] decode(StoredType type, ByteBuffer block) {
        assertEquals(type.blockBytes, block.position(), "the test filled the whole block");
        block.flip();
        FloatBuffer out = FloatBuffer.allocate(type.blockElements);
        type.decode(block, out, 1);
        assertEquals(type.blockBytes, block.position(), type + " consumes its block exactly");
        assertEquals(type.blockElements, out.position(), type + " writes every value");
        return out.array();
    }

    private static int bit(byte[] bytes, int k) {
        return (bytes[k / 8] >> (k % 8)) & 1;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Within float32 rounding of the value worked out in double precision. */
    private static void assertClose(double expected, float actual, String what) {
        assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), what);
    }
}
