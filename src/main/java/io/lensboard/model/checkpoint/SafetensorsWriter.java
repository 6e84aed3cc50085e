package io.lensboard.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes float32 tensors as a safetensors file ({@link SafetensorsWeights} reads them back): an 8-byte little-endian
 * header length, the JSON header {name: {dtype, shape, data_offsets}} padded with spaces to a multiple of 8 bytes, then
 * the data, little-endian, in the header's order.
 */
public final class SafetensorsWriter {
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, float[]> data = new LinkedHashMap<>();

    /** Adds a tensor; {@code values} are row-major and as many as the shape holds. */
    public SafetensorsWriter add(String name, long[] shape, float[] values) {
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        if (count != values.length) {
            throw new IllegalArgumentException(name + ": shape holds " + count + " values, got " + values.length);
        }
        shapes.put(name, shape.clone());
        data.put(name, values);
        return this;
    }

    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 4L * data.get(e.getKey()).length;
            ObjectNode entry = header.putObject(e.getKey()).put("dtype", "F32");
            ArrayNode shape = entry.putArray("shape");
            for (long s : e.getValue()) {
                shape.add(s);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] text = json.writeValueAsBytes(header);
        int padded = (text.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(text);
            out.write(" ".repeat(padded - text.length).getBytes(StandardCharsets.US_ASCII));
            for (float[] values : data.values()) {
                ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(values);
                out.write(buf.array());
            }
        }
    }
}
