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
 * arrays of them, as the fixture holds) and float32 tensors, each stored as F32, F16 or Q8_0.
 */
final class GgufWriter {
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, long[]> dims = new LinkedHashMap<>();
    private final Map<String, byte[]> data = new LinkedHashMap<>();
    private final Map<String, Integer> types = new LinkedHashMap<>();

    GgufWriter metadata(Map<String, Object> m) {
        metadata.putAll(m);
        return this;
    }

    GgufWriter put(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    /** A tensor of {@code values} with ggml dims (innermost first), stored as {@code type}. */
    GgufWriter tensor(String name, long[] ggmlDims, float[] values, int type) {
        dims.put(name, ggmlDims);
        types.put(name, type);
        data.put(name, switch (type) {
            case GgufFile.F32 -> {
                ByteBuffer b = le(4 * values.length);
                for (float v : values) {
                    b.putFloat(v);
                }
                yield b.array();
            }
            case GgufFile.Q8_0 -> q80(values);
            default -> throw new IllegalArgumentException("type " + type);
        });
        return this;
    }

    /** Q8_0: per block of 32, d = max|x| / 127 stored as float16, q = round(x / d). */
    static byte[] q80(float[] x) {
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
                b.put((byte) (dq == 0 ? 0 : Math.max(-127, Math.min(127, Math.round(x[blk * 32 + i] / dq)))));
            }
        }
        return b.array();
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
            out.write(le(4).putInt(types.get(name)).array());
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
