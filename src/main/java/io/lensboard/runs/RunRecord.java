package io.lensboard.runs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A run as stored: its parameters, state, timings, (when done) result, the replica that ran or runs it and how many
 * times one started it.
 */
public record RunRecord(String id, String kind, String model, JsonNode params, RunState state, String error,
                        JsonNode result, Instant createdAt, Instant startedAt, Instant finishedAt, String replica,
                        int attempts) {

    /** A run no replica has started yet. */
    public RunRecord(String id, String kind, String model, JsonNode params, RunState state, String error,
                     JsonNode result, Instant createdAt, Instant startedAt, Instant finishedAt) {
        this(id, kind, model, params, state, error, result, createdAt, startedAt, finishedAt, null, 0);
    }

    /**
     * The key under which the stored parameters carry the dtype the model was held in: the kinds' parameter records
     * ignore it, and a run keeps it with no column of its own (runs stored before it had float32).
     */
    public static final String DTYPE = "dtype";

    /** float32, bfloat16 or float16: the precision of the model's weights for this run (the API's top-level field). */
    @JsonProperty("dtype")
    public String dtype() {
        return params != null && params.hasNonNull(DTYPE) ? params.get(DTYPE).asText() : "float32";
    }
}
