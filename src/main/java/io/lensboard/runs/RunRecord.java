package io.lensboard.runs;

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
}
