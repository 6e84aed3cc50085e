package io.lensboard.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files for tests: the metadata of a parsed file (strings, float32, int32, uint32, booleans and
 * arrays of them, as the fixture holds) and float32 tensors, each stored as F32, Q8_0 or Q4_K.
 */
final class GgufWriter {
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, long[]> dims = new LinkedHashMap<>();
    private final Map<String, byte[]> data = new LinkedHashMap<>();
    private final Map<String, StoredType> types = new LinkedHashMap<>();
    private final Map<String, float[]> decoded = new LinkedHashMap<>();

    GgufWriter metadata(Map<String, Object> m) {
        metadata.putAll(m);
        return this;
    }

    GgufWriter put(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    /** A tensor of {@code values} with ggml dims (innermost first), stored as {@code type}. */
    GgufWriter tensor(String name, long[] ggmlDims, float[] values, StoredType type) {
        dims.put(name, ggmlDims);
        types.put(name, type);
        float[] out = values.clone();
        decoded.put(name, out);
        data.put(name, switch (type) {
            case F32 -> {
                ByteBuffer b = le(4 * values.length);
                for (float v : values) {
                    b.putFloat(v);
                }
                yield b.array();
            }
            case Q8_0 -> q80(values, out);
            case Q4_K -> q4k(values, out);
            default -> throw new IllegalArgumentException("type " + type);
        });
        return this;
    }

    /** The values a reader should decode from tensor {@code name}, worked out by this writer as it quantised them. */
    float[] decoded(String name) {
        return decoded.get(name);
    }

    /** Q8_0: per block of 32, d = max|x| / 127 stored as float16, q = round(x / d); {@code decoded} gets d·q. */
    static byte[] q80(float[] x, float[] decoded) {
        ByteBuffer b = le(x.length / 32 * 34);
        for (int blk = 0; blk < x.length / 32; blk++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[blk * 32 + i]));
            }
            float d = amax / 127;
            short dHalf = toHalf(d);
            float dq = HalfFloats.f16ToFloat(dHalf);
            b.putShort(dHalf);
            for (int i = 0; i < 32; i++) {
                byte q = (byte) (dq == 0 ? 0 : Math.max(-127, Math.min(127, Math.round(x[blk * 32 + i] / dq))));
                b.put(q);
                decoded[blk * 32 + i] = dq * q;
            }
        }
        return b.array();
    }

    /**
     * Q4_K, quantised simply (not llama.cpp's search for the best scales): per sub-block of 32, scale s = (max − min)/15
     * and minimum m = −min (min ≤ 0); per super-block of 256, d = max s / 63 and dmin = max m / 63 as float16; each
     * sub-block's s/d and m/dmin rounded to 6 bits; q = round((x + m') / s') in 0..15 with the rounded s' = d·s/d,
     * m' = dmin·m/dmin; {@code decoded} gets s'·q − m'.
     */
    static byte[] q4k(float[] x, float[] decoded) {
        ByteBuffer b = le(x.length / 256 * 144);
        for (int blk = 0; blk < x.length / 256; blk++) {
            float[] scale = new float[8];
            float[] min = new float[8];
            for (int sub = 0; sub < 8; sub++) {
                float lo = 0;
                float hi = 0;
                for (int l = 0; l < 32; l++) {
                    lo = Math.min(lo, x[blk * 256 + sub * 32 + l]);
                    hi = Math.max(hi, x[blk * 256 + sub * 32 + l]);
                }
                scale[sub] = (hi - lo) / 15;
                min[sub] = -lo;
            }
            short d = toHalf(max(scale) / 63);
            short dmin = toHalf(max(min) / 63);
            float dq = HalfFloats.f16ToFloat(d);
            float dminq = HalfFloats.f16ToFloat(dmin);
            int[] ls = new int[8];
            int[] lm = new int[8];
            for (int sub = 0; sub < 8; sub++) {
                ls[sub] = dq == 0 ? 0 : Math.min(63, Math.round(scale[sub] / dq));
                lm[sub] = dminq == 0 ? 0 : Math.min(63, Math.round(min[sub] / dminq));
            }
            b.putShort(d).putShort(dmin);
            for (int j = 0; j < 4; j++) {
                b.put((byte) (ls[j] | (ls[j + 4] >> 4) << 6));
            }
            for (int j = 0; j < 4; j++) {
                b.put((byte) (lm[j] | (lm[j + 4] >> 4) << 6));
            }
            for (int j = 0; j < 4; j++) {
                b.put((byte) ((ls[j + 4] & 15) | (lm[j + 4] & 15) << 4));
            }
            byte[] qs = new byte[128];
            for (int e = 0; e < 256; e++) {
                int sub = e / 32;
                float s = dq * ls[sub];
                float m = dminq * lm[sub];
                int q = s == 0 ? 0 : Math.max(0, Math.min(15, Math.round((x[blk * 256 + e] + m) / s)));
                qs[32 * (sub / 2) + e % 32] |= (byte) (q << (4 * (sub % 2)));
                decoded[blk * 256 + e] = s * q - m;
            }
            b.put(qs);
        }
        return b.array();
    }

    private static float max(float[] v) {
        float m = 0;
        for (float f : v) {
            m = Math.max(m, f);
        }
        return m;
    }

    /** float32 to IEEE half, round to nearest (normal range only, which scales of real weights are in). */
    static short toHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (f == 0 || exp <= 0) {
            return (short) sign;
        }
        int half = sign | (exp << 10) | (mant >>> 13);
        if ((mant & 0x1000) != 0) {
            half++; // round half up on the dropped bits
        }
        return (short) half;
    }

    void write(Path file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(le(4).putInt(0x46554747).array());
        out.write(le(4).putInt(3).array());
        out.write(le(8).putLong(dims.size()).array());
        out.write(le(8).putLong(metadata.size()).array());
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            string(out, e.getKey());
            out.write(le(4).putInt(type(e.getValue())).array());
            value(out, e.getValue());
        }
        long offset = 0;
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (String name : dims.keySet()) {
            offsets.put(name, offset);
            offset += (data.get(name).length + 31) / 32 * 32;
        }
        for (String name : dims.keySet()) {
            string(out, name);
            out.write(le(4).putInt(dims.get(name).length).array());
            for (long d : dims.get(name)) {
                out.write(le(8).putLong(d).array());
            }
            out.write(le(4).putInt(types.get(name).ggml).array());
            out.write(le(8).putLong(offsets.get(name)).array());
        }
        while (out.size() % 32 != 0) {
            out.write(0);
        }
        for (String name : dims.keySet()) {
            byte[] bytes = data.get(name);
            out.write(bytes);
            for (int pad = bytes.length; pad % 32 != 0; pad++) {
                out.write(0);
            }
        }
        Files.write(file, out.toByteArray());
    }

    private static int type(Object v) {
        if (v instanceof String) {
            return 8;
        } else if (v instanceof Float) {
            return 6;
        } else if (v instanceof Integer) {
            return 5;
        } else if (v instanceof Long) {
            return 4;
        } else if (v instanceof Boolean) {
            return 7;
        } else if (v instanceof List) {
            return 9;
        }
        throw new IllegalArgumentException("metadata value " + v);
    }

    private static void value(ByteArrayOutputStream out, Object v) throws IOException {
        switch (type(v)) {
            case 8 -> string(out, (String) v);
            case 6 -> out.write(le(4).putFloat((Float) v).array());
            case 5 -> out.write(le(4).putInt((Integer) v).array());
            case 4 -> out.write(le(4).putInt((int) (long) (Long) v).array());
            case 7 -> out.write((Boolean) v ? 1 : 0);
            default -> {
                List<?> list = (List<?>) v;
                out.write(le(4).putInt(list.isEmpty() ? 5 : type(list.get(0))).array());
                out.write(le(8).putLong(list.size()).array());
                for (Object x : list) {
                    value(out, x);
                }
            }
        }
    }

    private static void string(ByteArrayOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(le(8).putLong(bytes.length).array());
        out.write(bytes);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
