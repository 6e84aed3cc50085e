package io.lensboard.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.Weights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads {@code model.safetensors} or a sharded checkpoint ({@code model.safetensors.index.json}).
 * Format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
 * then the raw little-endian data. F32, F16 and BF16 are widened to float32. Every offset is checked against the
 * file's size when the header is read; tensors are read from a memory mapping of the file ({@link TensorPieces}).
 */
public final class SafetensorsWeights implements Weights {

    // ViTForImageClassification keeps the ViT under "vit." beside its unprefixed classifier; ViTModel has no prefix.
    private static final String[] PREFIXES = {"", "transformer.", "model.", "vit."};

    private record Entry(Path file, String dtype, long[] shape, long begin, long end) {}

    private final Map<String, Entry> entries = new HashMap<>();
    private final String description;
    private final TensorPieces pieces = new TensorPieces();

    private SafetensorsWeights(String description) {
        this.description = description;
    }

    /** The weights in a Hugging Face model directory, or a {@link CheckpointException} naming what is missing. */
    public static SafetensorsWeights open(Path dir) {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) {
            SafetensorsWeights w = new SafetensorsWeights(single.toString());
            w.readHeader(single);
            return w;
        }
        if (Files.isRegularFile(index)) {
            SafetensorsWeights w = new SafetensorsWeights(index.toString());
            try {
                JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
                map.properties().stream().map(e -> e.getValue().asText()).distinct()
                        .forEach(shard -> w.readHeader(inside(dir, shard, index)));
            } catch (IOException e) {
                throw new CheckpointException(index + ": cannot read the shard index: " + e.getMessage(), e);
            }
            return w;
        }
        throw new CheckpointException(dir + ": no model.safetensors or model.safetensors.index.json"
                + " (use the id with ':untrained' for a randomly initialised twin)");
    }

    /** One safetensors file's tensors (a tuned lens's {@code params.safetensors}). */
    static SafetensorsWeights file(Path file) {
        SafetensorsWeights w = new SafetensorsWeights(file.toString());
        w.readHeader(file);
        return w;
    }

    /** A shard named by the index, which must be a file in the model's directory (the index is untrusted). */
    private static Path inside(Path dir, String shard, Path index) {
        Path file = dir.resolve(shard).normalize();
        if (!file.startsWith(dir.normalize()) || file.equals(dir.normalize())) {
            throw new CheckpointException(index + ": shard '" + shard + "' is outside the model's directory");
        }
        return file;
    }

    private void readHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 8 || ch.read(len, 0) != 8) {
                throw new CheckpointException(file + ": truncated safetensors file (no header length)");
            }
            long n = len.getLong(0);
            if (n <= 0 || 8 + n > size || n > 100_000_000) {
                throw new CheckpointException(file + ": bad safetensors header length " + n + " for a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            while (header.hasRemaining()) {
                if (ch.read(header, 8 + header.position()) < 0) {
                    throw new CheckpointException(file + ": truncated safetensors header");
                }
            }
            JsonNode json = new ObjectMapper().readTree(header.array());
            if (json == null || !json.isObject()) {
                throw new CheckpointException(file + ": the safetensors header is not a JSON object");
            }
            long dataStart = 8 + n;
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = f.getValue();
                long[] shape = naturals(t.path("shape"), -1);
                long[] offsets = naturals(t.path("data_offsets"), 2);
                if (shape == null || offsets == null || offsets[0] > offsets[1]) {
                    throw new CheckpointException(file + ": tensor '" + f.getKey() + "' has no valid shape and data_offsets in the header");
                }
                if (offsets[1] > size - dataStart) {
                    throw new CheckpointException(file + ": tensor '" + f.getKey() + "' ends at byte " + (dataStart + offsets[1])
                            + " but the file has " + size + " bytes (truncated download?)");
                }
                entries.put(f.getKey(), new Entry(file, t.path("dtype").asText(), shape, dataStart + offsets[0], dataStart + offsets[1]));
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** A JSON array of non-negative integers ({@code length} of them unless it is -1), or null. */
    private static long[] naturals(JsonNode array, int length) {
        if (!array.isArray() || (length >= 0 && array.size() != length)) {
            return null;
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
                return null;
            }
            out[i] = v.asLong();
        }
        return out;
    }

    private Entry find(String name) {
        for (String prefix : PREFIXES) {
            Entry e = entries.get(prefix + name);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    @Override
    public float[] get(String name, Init init, long... shape) {
        TensorPieces.Stored t = stored(name, shape);
        return TensorPieces.gather(t.file(), name, t.elements(), sink -> pieces.read(t, sink));
    }

    /** The tensor straight from its memory-mapped bytes (F32) or widened piece by piece (F16, BF16). */
    @Override
    public void read(String name, Init init, long[] shape, Pieces sink) {
        pieces.read(stored(name, shape), sink);
    }

    private TensorPieces.Stored stored(String name, long[] shape) {
        Entry e = find(name);
        if (e == null) {
            throw new CheckpointException(description + ": missing tensor '" + name + "'");
        }
        if (!Arrays.equals(e.shape, shape)) {
            throw new CheckpointException(e.file + ": tensor '" + name + "' has shape " + Arrays.toString(e.shape)
                    + ", the config implies " + Arrays.toString(shape));
        }
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        StoredType type = switch (e.dtype) {
            case "F32" -> StoredType.F32;
            case "F16" -> StoredType.F16;
            case "BF16" -> StoredType.BF16;
            default -> throw new CheckpointException(e.file + ": tensor '" + name + "' has dtype " + e.dtype
                    + "; lensboard reads F32, F16 and BF16");
        };
        if (e.end - e.begin != type.bytes(count)) {
            throw new CheckpointException(e.file + ": tensor '" + name + "' holds " + (e.end - e.begin)
                    + " bytes, its shape and dtype need " + type.bytes(count));
        }
        long rowElements = shape.length < 2 ? 1 : count / shape[0];
        return new TensorPieces.Stored(e.file, name, e.begin, type, count, rowElements);
    }

    @Override
    public String describe() {
        return description;
    }
}
