package io.lensboard.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes float32 tensors as a safetensors file (what {@link SafetensorsWeights} reads and
 * {@code safetensors.torch.load_file} opens): an 8-byte little-endian header length, the JSON header padded with
 * spaces to a multiple of 8, then each tensor's little-endian data in order.
 */
public final class SafetensorsWriter {
    private final Map<String, float[]> data = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    public SafetensorsWriter add(String name, long[] shape, float[] values) {
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values do not fill the shape " + Arrays.toString(shape));
        }
        data.put(name, values);
        shapes.put(name, shape.clone());
        return this;
    }

    public byte[] toBytes() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, float[]> e : data.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            Arrays.stream(shapes.get(e.getKey())).forEach(t.putArray("shape")::add);
            t.putArray("data_offsets").add(offset).add(offset + 4L * e.getValue().length);
            offset += 4L * e.getValue().length;
        }
        StringBuilder text = new StringBuilder(header.toString());
        while (text.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
            text.append(' ');
        }
        byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + head.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(head.length).put(head);
        for (float[] v : data.values()) {
            for (float f : v) {
                out.putFloat(f);
            }
        }
        return out.array();
    }
}
