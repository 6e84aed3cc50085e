package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Threads;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's exports, read from its stored events whatever its kind: the embeddings as a safetensors file (from its
 * {@link EmbeddingEvents}) and the trajectory as CSV (one line per {@code step} event).
 */
@ApplicationScoped
public class RunExports {

    @Inject
    RunService runs;

    @Inject
    ObjectMapper json;

    /** The safetensors file with tensors e, e_0, e_final [T, d] (F32, or F64 for a float64 run). */
    public byte[] embedding(String id) {
        RunRecord run = runs.find(id); // an unknown run is an UnknownRunException (404)
        Threads.blocking("reading a run's embedding");
        Map<String, ByteArrayOutputStream> data = new LinkedHashMap<>();
        Map<String, JsonNode> headers = new LinkedHashMap<>();
        for (RunEvent e : runs.events(id, 0)) {
            if (e.type().equals(EmbeddingEvents.TYPE)) {
                JsonNode event = e.json();
                String name = event.path("tensor").asText();
                headers.putIfAbsent(name, event);
                data.computeIfAbsent(name, n -> new ByteArrayOutputStream()).writeBytes(Base64.getDecoder().decode(event.path("data").asText()));
            }
        }
        if (!data.keySet().containsAll(EmbeddingEvents.NAMES)) {
            throw new NothingToExportException("run " + id + " (" + run.kind() + ", " + run.state().key() + ") has no embedding: "
                    + "reconstruction and the walks store e, e_0 and e_final when they finish");
        }
        return safetensors(headers, data);
    }

    /** Every recorded step: a header of every field seen, then one line per step event (arrays as JSON). */
    public String trajectoryCsv(String id) {
        RunRecord run = runs.find(id);
        Threads.blocking("reading a run's trajectory");
        List<JsonNode> steps = new ArrayList<>();
        Set<String> columns = new LinkedHashSet<>();
        for (RunEvent e : runs.events(id, 0)) {
            if (e.type().equals("step")) {
                JsonNode step = e.json();
                step.fieldNames().forEachRemaining(columns::add);
                steps.add(step);
            }
        }
        if (steps.isEmpty()) {
            throw new NothingToExportException("run " + id + " (" + run.kind() + ", " + run.state().key() + ") has recorded no steps");
        }
        StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
        for (JsonNode step : steps) {
            List<String> cells = new ArrayList<>();
            for (String c : columns) {
                JsonNode v = step.get(c);
                cells.add(v == null || v.isNull() ? "" : v.isValueNode() && !v.isTextual() ? v.asText() : quoted(v.isTextual() ? v.asText() : v.toString()));
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        return csv.toString();
    }

    private static String quoted(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** safetensors: an 8-byte little-endian header length, the JSON header (padded with spaces to 8 bytes), the data. */
    private byte[] safetensors(Map<String, JsonNode> headers, Map<String, ByteArrayOutputStream> data) {
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (String name : EmbeddingEvents.NAMES) {
            long size = data.get(name).size();
            header.put(name, Map.of("dtype", headers.get(name).path("dtype").asText(), "shape", headers.get(name).path("shape"),
                    "data_offsets", List.of(offset, offset + size)));
            offset += size;
        }
        try {
            byte[] text = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
            int padded = (text.length + 7) / 8 * 8;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.writeBytes(text);
            out.writeBytes(" ".repeat(padded - text.length).getBytes(StandardCharsets.US_ASCII));
            for (String name : EmbeddingEvents.NAMES) {
                data.get(name).writeTo(out);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
