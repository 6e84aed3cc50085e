package io.lensboard.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * ggml's quantised blocks, one method per type: each reads one block at {@code in}'s position (little-endian)
 * and writes its floats to {@code out}. Layouts are ggml's {@code block_*} structs in {@code ggml-common.h};
 * the formulas are its {@code dequantize_row_*} in {@code ggml-quants.c}. d, m (dmin) are float16 unless said.
 * K-quants are super-blocks of QK_K = 256 values in sub-blocks with their own scales.
 */
final class GgufBlocks {
    static final int QK = 32;
    static final int QK_K = 256;

    private GgufBlocks() {}

    /** block_q4_0 {d; qs[16]}: value j and j+16 are the low and high nibble of qs[j]; x = d·(q − 8). */
    static void q4_0(ByteBuffer in, FloatBuffer out) {
        float d = half(in);
        int qs = in.position();
        int at = out.position();
        for (int j = 0; j < QK / 2; j++) {
            int q = in.get(qs + j) & 0xff;
            out.put(at + j, d * ((q & 0x0f) - 8));
            out.put(at + j + QK / 2, d * ((q >>> 4) - 8));
        }
        in.position(qs + QK / 2);
        out.position(at + QK);
    }

    /** block_q4_1 {d; m; qs[16]}: nibbles as Q4_0; x = d·q + m. */
    static void q4_1(ByteBuffer in, FloatBuffer out) {
        float d = half(in);
        float m = half(in);
        int qs = in.position();
        int at = out.position();
        for (int j = 0; j < QK / 2; j++) {
            int q = in.get(qs + j) & 0xff;
            out.put(at + j, d * (q & 0x0f) + m);
            out.put(at + j + QK / 2, d * (q >>> 4) + m);
        }
        in.position(qs + QK / 2);
        out.position(at + QK);
    }

    /** block_q5_0 {d; qh[4]; qs[16]}: bit j of the 32-bit qh is value j's fifth bit; x = d·(q − 16). */
    static void q5_0(ByteBuffer in, FloatBuffer out) {
        fiveBit(in, out, half(in), 0f, 16);
    }

    /** block_q5_1 {d; m; qh[4]; qs[16]}: 5-bit q as Q5_0; x = d·q + m. */
    static void q5_1(ByteBuffer in, FloatBuffer out) {
        float d = half(in);
        fiveBit(in, out, d, half(in), 0);
    }

    /** Q5_0 and Q5_1 after their scale (and minimum): x = d·(q − offset) + m. */
    private static void fiveBit(ByteBuffer in, FloatBuffer out, float d, float m, int offset) {
        int qh = in.getInt();
        int qs = in.position();
        int at = out.position();
        for (int j = 0; j < QK / 2; j++) {
            int q = in.get(qs + j) & 0xff;
            int lo = (q & 0x0f) | (((qh >>> j) & 1) << 4);
            int hi = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
            out.put(at + j, d * (lo - offset) + m);
            out.put(at + j + QK / 2, d * (hi - offset) + m);
        }
        in.position(qs + QK / 2);
        out.position(at + QK);
    }

    /** block_q8_0 {d; qs[32] int8}: x = d·q. */
    static void q8_0(ByteBuffer in, FloatBuffer out) {
        float d = half(in);
        for (int j = 0; j < QK; j++) {
            out.put(d * in.get());
        }
    }

    /**
     * block_q4_K {d; dmin; scales[12]; qs[128]}: eight sub-blocks of 32 with 6-bit scale s and minimum m
     * ({@link #scale}); sub-blocks 2i and 2i+1 are the low and high nibbles of qs[32i .. 32i+31];
     * x = d·s·q − dmin·m.
     */
    static void q4_K(ByteBuffer in, FloatBuffer out) {
        scaledNibbles(in, out, false);
    }

    /**
     * block_q5_K {d; dmin; scales[12]; qh[32]; qs[128]}: Q4_K's nibbles plus a fifth bit, bit `sub` of
     * qh[l] for value l of sub-block `sub`; x = d·s·q − dmin·m.
     */
    static void q5_K(ByteBuffer in, FloatBuffer out) {
        scaledNibbles(in, out, true);
    }

    /** Q4_K's layout, or Q5_K's when {@code fifthBit}: the same sub-blocks with qh[32] between scales and qs. */
    private static void scaledNibbles(ByteBuffer in, FloatBuffer out, boolean fifthBit) {
        float d = half(in);
        float dmin = half(in);
        int scales = in.position();
        int qh = scales + 12;
        int qs = fifthBit ? qh + 32 : qh;
        for (int i = 0; i < 4; i++) {
            for (int nibble = 0; nibble < 2; nibble++) {
                int sub = 2 * i + nibble;
                float ds = d * scale(in, scales, sub);
                float mm = dmin * minimum(in, scales, sub);
                for (int l = 0; l < 32; l++) {
                    int q = (in.get(qs + 32 * i + l) & 0xff) >>> (4 * nibble) & 0x0f;
                    if (fifthBit) {
                        q |= ((in.get(qh + l) >>> sub) & 1) << 4;
                    }
                    out.put(ds * q - mm);
                }
            }
        }
        in.position(qs + QK_K / 2);
    }

    /**
     * block_q6_K {ql[128]; qh[64]; scales[16] int8; d}: each half of 128 values takes 64 bytes of ql and 32 of qh;
     * value l + 32k of a half (k = 0..3) has low 4 bits from ql[l + 32·(k mod 2)] (low nibble for k < 2, high for
     * k ≥ 2) and high 2 bits (qh[l] >> 2k) & 3; its scale is scales[l/16 + 2k] of that half; x = d·s·(q − 32).
     */
    static void q6_K(ByteBuffer in, FloatBuffer out) {
        int ql = in.position();
        int qh = ql + 128;
        int sc = qh + 64;
        float d = HalfFloats.f16ToFloat(in.getShort(sc + 16));
        for (int half = 0; half < 2; half++) {
            int at = out.position();
            for (int k = 0; k < 4; k++) {
                for (int l = 0; l < 32; l++) {
                    int low = (in.get(ql + 64 * half + l + 32 * (k % 2)) & 0xff) >>> (4 * (k / 2)) & 0x0f;
                    int high = (in.get(qh + 32 * half + l) >>> (2 * k)) & 3;
                    int s = in.get(sc + 8 * half + l / 16 + 2 * k);
                    out.put(at + 32 * k + l, d * s * ((low | high << 4) - 32));
                }
            }
            out.position(at + 128);
        }
        in.position(sc + 16 + 2);
    }

    /** block_q8_K {d float32; qs[256] int8; bsums[16] int16}: x = d·q; bsums (sums of 16 quants) are for dot products only. */
    static void q8_K(ByteBuffer in, FloatBuffer out) {
        float d = in.getFloat();
        for (int j = 0; j < QK_K; j++) {
            out.put(d * in.get());
        }
        in.position(in.position() + 2 * 16);
    }

    /**
     * ggml's get_scale_min_k4: the 12 scale bytes hold eight 6-bit scales and eight 6-bit minimums. For sub-block
     * j < 4: scale = bytes[j] & 63, minimum = bytes[j+4] & 63; for j ≥ 4 the low 4 bits come from bytes[j+4] (low
     * nibble: scale, high: minimum) and the high 2 bits from the top of bytes[j−4] (scale) and bytes[j] (minimum).
     */
    static int scale(ByteBuffer in, int scales, int j) {
        if (j < 4) {
            return in.get(scales + j) & 63;
        }
        return (in.get(scales + j + 4) & 0x0f) | ((in.get(scales + j - 4) & 0xff) >>> 6) << 4;
    }

    static int minimum(ByteBuffer in, int scales, int j) {
        if (j < 4) {
            return in.get(scales + j + 4) & 63;
        }
        return ((in.get(scales + j + 4) & 0xff) >>> 4) | ((in.get(scales + j) & 0xff) >>> 6) << 4;
    }

    private static float half(ByteBuffer in) {
        return HalfFloats.f16ToFloat(in.getShort());
    }
}
