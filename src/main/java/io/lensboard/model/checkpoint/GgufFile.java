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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama.cpp's format, versions 2 and 3): metadata, tensor directory, and tensors read and
 * dequantised to float32 on demand. Layout: magic "GGUF", version, tensor count, metadata count, the
 * metadata key/values, the tensor infos (name, dims innermost first, ggml type, offset), then the data
 * section at the next multiple of {@code general.alignment} (32 by default). Tensor types: F32, F16, BF16 and the
 * quantised Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K, Q8_K ({@link GgufBlocks}); every tensor's extent is
 * checked against the file's size when it is opened.
 */
public final class GgufFile {
    /** {@code dims} innermost first, as ggml writes them: a PyTorch [out, in] weight has dims [in, out]. */
    public record TensorInfo(String name, long[] dims, int type, long offset) {
        /** The stored type, or null for a ggml type lensboard does not read. */
        StoredType stored() {
            return StoredType.ofGgml(type);
        }

        long elements() {
            long n = 1;
            for (long d : dims) {
                n = Math.multiplyExact(n, d);
            }
            return n;
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
                    if (dims[d] < 0) {
                        throw new CheckpointException(file + ": tensor " + name + " has a negative dimension " + dims[d]);
                    }
                }
                TensorInfo t = new TensorInfo(name, dims, r.i32(), r.i64());
                StoredType type = t.stored();
                if (type != null && dims[0] % type.blockElements != 0) {
                    throw new CheckpointException(file + ": tensor " + name + " is " + type + " but its rows of " + dims[0]
                            + " are not whole blocks of " + type.blockElements);
                }
                tensors.put(name, t);
            }
            long alignment = metadata.get("general.alignment") instanceof Number n ? n.longValue() : 32;
            long dataStart = (r.position() + alignment - 1) / alignment * alignment;
            GgufFile gguf = new GgufFile(file, version, metadata, tensors, dataStart, ch.size());
            for (TensorInfo t : tensors.values()) {
                long bytes;
                try {
                    bytes = t.stored() == null ? 0 : t.stored().bytes(t.elements());
                } catch (ArithmeticException e) {
                    throw new CheckpointException(file + ": tensor " + t.name() + " has an impossible size " + Arrays.toString(t.dims()));
                }
                if (t.offset() < 0 || t.offset() > gguf.size - dataStart || bytes > gguf.size - dataStart - t.offset()) {
                    throw new CheckpointException(file + ": truncated: tensor " + t.name() + " ends at byte "
                            + (dataStart + t.offset() + bytes) + " but the file has " + gguf.size);
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
        TensorPieces.Stored t = stored(name);
        TensorPieces pieces = new TensorPieces();
        return TensorPieces.gather(file, name, t.elements(), sink -> pieces.read(t, sink));
    }

    /** Where and how tensor {@code name} is stored (a row is dims[0] values), for {@link TensorPieces}. */
    TensorPieces.Stored stored(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(file + ": no tensor " + name);
        }
        if (t.stored() == null) {
            throw new CheckpointException(file + ": tensor " + name + " has ggml type " + t.type()
                    + ", which lensboard does not read (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K and Q8_K)");
        }
        return new TensorPieces.Stored(file, name, dataStart + t.offset(), t.stored(), t.elements(), t.dims()[0]);
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
