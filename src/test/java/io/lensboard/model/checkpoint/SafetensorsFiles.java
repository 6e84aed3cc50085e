package io.lensboard.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
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

/** Writes safetensors files for tests: raw little-endian tensors under a JSON header. */
final class SafetensorsFiles {
    record Tensor(String dtype, long[] shape, byte[] data) {}

    private SafetensorsFiles() {}

    static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            t.putPOJO("shape", e.getValue().shape());
            t.putArray("data_offsets").add(offset).add(offset + e.getValue().data().length);
            offset += e.getValue().data().length;
        }
        byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            for (Tensor t : tensors.values()) {
                out.write(t.data());
            }
        }
    }

    /** Every tensor of a checkpoint as float32, by its stored name. */
    static Map<String, Tensor> readAll(Path file) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long n = all.getLong(0);
        var header = new ObjectMapper().readTree(new String(all.array(), 8, (int) n, StandardCharsets.UTF_8));
        Map<String, Tensor> out = new LinkedHashMap<>();
        header.properties().forEach(e -> {
            if (e.getKey().equals("__metadata__")) {
                return;
            }
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            int begin = (int) (8 + n + e.getValue().get("data_offsets").get(0).asLong());
            int end = (int) (8 + n + e.getValue().get("data_offsets").get(1).asLong());
            byte[] data = new byte[end - begin];
            System.arraycopy(all.array(), begin, data, 0, data.length);
            out.put(e.getKey(), new Tensor(e.getValue().get("dtype").asText(), shape, data));
        });
        return out;
    }

    /** float32 bytes narrowed to bfloat16 (truncation of the low 16 bits). */
    static byte[] toBf16(byte[] f32) {
        ByteBuffer in = ByteBuffer.wrap(f32).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(f32.length / 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putShort((short) (Float.floatToIntBits(in.getFloat()) >>> 16));
        }
        return out.array();
    }
}
