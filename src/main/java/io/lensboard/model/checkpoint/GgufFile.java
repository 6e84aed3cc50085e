package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama.cpp's format, versions 2 and 3): metadata, tensor directory, and tensors read and
 * dequantised to float32 on demand. Layout: magic "GGUF", version, tensor count, metadata count, the
 * metadata key/values, the tensor infos (name, dims innermost first, ggml type, offset), then the data
 * section at the next multiple of {@code general.alignment} (32 by default).
 */
public final class GgufFile {
    /** ggml tensor types this reader dequantises. */
    static final int F32 = 0;
    static final int F16 = 1;
    static final int Q8_0 = 8;
    static final int BF16 = 30;
    private static final int Q8_0_BLOCK = 32;

    /** {@code dims} innermost first, as ggml writes them: a PyTorch [out, in] weight has dims [in, out]. */
    public record TensorInfo(String name, long[] dims, int type, long offset) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        long bytes() {
            return switch (type) {
                case F32 -> elements() * 4;
                case F16, BF16 -> elements() * 2;
                case Q8_0 -> elements() / Q8_0_BLOCK * 34;
                default -> -1;
            };
        }
    }

    private final Path file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;
    private final long dataStart;
    private final long size;

    private GgufFile(Path file, int version, Map<String, Object> metadata, Map<String, TensorInfo> tensors, long dataStart, long size) {
        this.file = file;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.size = size;
    }

    public static GgufFile open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Reader r = new Reader(ch, file);
            int magic = r.i32();
            if (magic != 0x46554747) { // "GGUF" little-endian
                throw new CheckpointException(file + ": not a GGUF file (magic number " + String.format("0x%08x", magic)
                        + ", expected 0x46554747 \"GGUF\")");
            }
            int version = r.i32();
            if (version != 2 && version != 3) {
                throw new CheckpointException(file + ": GGUF version " + version + " is not supported (lensboard reads versions 2 and 3)");
            }
            long tensorCount = r.count("tensor count");
            long kvCount = r.count("metadata count");
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = r.string();
                metadata.put(key, r.value(r.i32(), key));
            }
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = r.string();
                int nDims = r.i32();
                if (nDims < 1 || nDims > 4) {
                    throw new CheckpointException(file + ": tensor " + name + " has " + nDims + " dimensions");
                }
                long[] dims = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    dims[d] = r.i64();
                }
                TensorInfo t = new TensorInfo(name, dims, r.i32(), r.i64());
                if (t.type() == Q8_0 && dims[0] % Q8_0_BLOCK != 0) {
                    throw new CheckpointException(file + ": tensor " + name + " is Q8_0 but its rows of " + dims[0]
                            + " are not whole blocks of " + Q8_0_BLOCK);
                }
                tensors.put(name, t);
            }
            long alignment = metadata.get("general.alignment") instanceof Number n ? n.longValue() : 32;
            long dataStart = (r.position() + alignment - 1) / alignment * alignment;
            GgufFile gguf = new GgufFile(file, version, metadata, tensors, dataStart, ch.size());
            for (TensorInfo t : tensors.values()) {
                long end = dataStart + t.offset() + Math.max(0, t.bytes());
                if (end > gguf.size) {
                    throw new CheckpointException(file + ": truncated: tensor " + t.name() + " ends at byte " + end
                            + " but the file has " + gguf.size);
                }
            }
            return gguf;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public int version() {
        return version;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The tensor as row-major float32 (PyTorch's layout: dims reversed), dequantised. */
    public float[] read(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(file + ": no tensor " + name);
        }
        if (t.bytes() < 0) {
            throw new CheckpointException(file + ": tensor " + name + " has ggml type " + t.type()
                    + ", which lensboard does not read (F32, F16, BF16 and Q8_0 only)");
        }
        if (t.elements() > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": tensor " + name + " has " + t.elements() + " elements, more than a Java array holds");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = dataStart + t.offset();
            while (buf.hasRemaining()) {
                if (ch.read(buf, at + buf.position()) < 0) {
                    throw new CheckpointException(file + ": truncated inside tensor " + name);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read tensor " + name + ": " + e.getMessage(), e);
        }
        buf.flip();
        float[] out = new float[(int) t.elements()];
        switch (t.type()) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.f16ToFloat(buf.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.bf16ToFloat(buf.getShort());
                }
            }
            default -> { // Q8_0: blocks of 32 int8 quants q with one float16 scale d; x = d * q
                for (int b = 0; b < out.length / Q8_0_BLOCK; b++) {
                    float d = HalfFloats.f16ToFloat(buf.getShort());
                    for (int i = 0; i < Q8_0_BLOCK; i++) {
                        out[b * Q8_0_BLOCK + i] = d * buf.get();
                    }
                }
            }
        }
        return out;
    }

    /** A metadata value that must be present, or a CheckpointException naming the key. */
    public Object require(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new CheckpointException(file + ": GGUF metadata lacks " + key);
        }
        return v;
    }

    /** Sequential little-endian reads over the header; every read past the end names the file as truncated. */
    private static final class Reader {
        private final FileChannel ch;
        private final Path file;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private long bufStart;

        Reader(FileChannel ch, Path file) throws IOException {
            this.ch = ch;
            this.file = file;
            buf.limit(0);
        }

        long position() {
            return bufStart + buf.position();
        }

        private void need(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            long pos = position();
            buf.clear();
            int read = 0;
            while (read < buf.capacity()) {
                int r = ch.read(buf, pos + read);
                if (r < 0) {
                    break;
                }
                read += r;
            }
            buf.flip();
            bufStart = pos;
            if (buf.remaining() < n) {
                throw new CheckpointException(file + ": truncated: the GGUF header ends early at byte " + (pos + buf.remaining()));
            }
        }

        int i32() throws IOException {
            need(4);
            return buf.getInt();
        }

        long i64() throws IOException {
            need(8);
            return buf.getLong();
        }

        long count(String what) throws IOException {
            long n = i64();
            if (n < 0 || n > 10_000_000) {
                throw new CheckpointException(file + ": implausible GGUF " + what + " " + n);
            }
            return n;
        }

        String string() throws IOException {
            long n = i64();
            if (n < 0 || n > 1 << 20) {
                throw new CheckpointException(file + ": implausible GGUF string length " + n);
            }
            byte[] bytes = new byte[(int) n];
            int done = 0;
            while (done < n) {
                need(1);
                int take = Math.min(buf.remaining(), (int) n - done);
                buf.get(bytes, done, take);
                done += take;
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }

        Object value(int type, String key) throws IOException {
            switch (type) {
                case 0, 1 -> {
                    need(1);
                    return type == 0 ? buf.get() & 0xff : (int) buf.get();
                }
                case 2, 3 -> {
                    need(2);
                    return type == 2 ? buf.getShort() & 0xffff : (int) buf.getShort();
                }
                case 4 -> {
                    return i32() & 0xffffffffL;
                }
                case 5 -> {
                    return i32();
                }
                case 6 -> {
                    need(4);
                    return buf.getFloat();
                }
                case 7 -> {
                    need(1);
                    return buf.get() != 0;
                }
                case 8 -> {
                    return string();
                }
                case 9 -> {
                    int elementType = i32();
                    long n = count("array length of " + key);
                    List<Object> values = new ArrayList<>((int) Math.min(n, 1 << 20));
                    for (long i = 0; i < n; i++) {
                        values.add(value(elementType, key));
                    }
                    return values;
                }
                case 10, 11 -> {
                    return i64();
                }
                case 12 -> {
                    need(8);
                    return buf.getDouble();
                }
                default -> throw new CheckpointException(file + ": unknown GGUF metadata type " + type + " for " + key);
            }
        }
    }
}
