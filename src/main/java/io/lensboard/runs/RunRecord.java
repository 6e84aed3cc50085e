package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A run as stored: its parameters, state, timings and (when done) result. */
public record RunRecord(String id, String kind, String model, JsonNode params, RunState state, String error,
                        JsonNode result, Instant createdAt, Instant startedAt, Instant finishedAt) {

    /** What the run looks at, for lists: the prompt of a reconstruction, the block and feature of a feature run. */
    public String subject() {
        if (params.has("prompt")) {
            return "\u201c" + params.get("prompt").asText() + "\u201d";
        }
        return "block " + params.path("layer").asInt() + " " + params.path("feature").asText();
    }

    /** Seconds from start to finish (or to now while running); null before it starts. */
    public Double seconds() {
        if (startedAt == null) {
            return null;
        }
        Instant end = finishedAt != null ? finishedAt : Instant.now();
        return (end.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0;
    }
}
