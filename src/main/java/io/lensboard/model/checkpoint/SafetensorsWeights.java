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
 * then the raw little-endian data. F32, F16 and BF16 are widened to float32.
 */
public final class SafetensorsWeights implements Weights {

    // ViTForImageClassification keeps the ViT under "vit." beside its unprefixed classifier; ViTModel has no prefix.
    private static final String[] PREFIXES = {"", "transformer.", "model.", "vit."};

    private record Entry(Path file, String dtype, long[] shape, long begin, long end) {}

    private final Map<String, Entry> entries = new HashMap<>();
    private final String description;

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
                        .forEach(shard -> w.readHeader(dir.resolve(shard)));
            } catch (IOException e) {
                throw new CheckpointException(index + ": cannot read the shard index: " + e.getMessage(), e);
            }
            return w;
        }
        throw new CheckpointException(dir + ": no model.safetensors or model.safetensors.index.json"
                + " (use the id with ':untrained' for a randomly initialised twin)");
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
            ch.read(header, 8);
            JsonNode json = new ObjectMapper().readTree(header.array());
            long dataStart = 8 + n;
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = f.getValue();
                long[] shape = new long[t.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                }
                long begin = dataStart + t.path("data_offsets").get(0).asLong();
                long end = dataStart + t.path("data_offsets").get(1).asLong();
                if (end > size) {
                    throw new CheckpointException(file + ": tensor '" + f.getKey() + "' ends at byte " + end
                            + " but the file has " + size + " bytes (truncated download?)");
                }
                entries.put(f.getKey(), new Entry(file, t.path("dtype").asText(), shape, begin, end));
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
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
        Entry e = find(name);
        if (e == null) {
            throw new CheckpointException(description + ": missing tensor '" + name + "'");
        }
        if (!Arrays.equals(e.shape, shape)) {
            throw new CheckpointException(e.file + ": tensor '" + name + "' has shape " + Arrays.toString(e.shape)
                    + ", the config implies " + Arrays.toString(shape));
        }
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        int width = switch (e.dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new CheckpointException(e.file + ": tensor '" + name + "' has dtype " + e.dtype
                    + "; lensboard reads F32, F16 and BF16");
        };
        if (e.end - e.begin != count * width) {
            throw new CheckpointException(e.file + ": tensor '" + name + "' holds " + (e.end - e.begin)
                    + " bytes, its shape and dtype need " + count * width);
        }
        if (count > Integer.MAX_VALUE) {
            throw new CheckpointException(e.file + ": tensor '" + name + "' is too large for one array");
        }
        float[] out = new float[(int) count];
        try (FileChannel ch = FileChannel.open(e.file, StandardOpenOption.READ)) {
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, e.begin, e.end - e.begin).order(ByteOrder.LITTLE_ENDIAN);
            switch (e.dtype) {
                case "F32" -> buf.asFloatBuffer().get(out);
                case "F16" -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = HalfFloats.f16ToFloat(buf.getShort());
                    }
                }
                default -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = HalfFloats.bf16ToFloat(buf.getShort());
                    }
                }
            }
        } catch (IOException ex) {
            throw new CheckpointException(e.file + ": cannot read tensor '" + name + "': " + ex.getMessage(), ex);
        }
        return out;
    }

    @Override
    public String describe() {
        return description;
    }
}
