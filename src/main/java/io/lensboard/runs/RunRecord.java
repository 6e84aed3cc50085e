package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A run as stored: its parameters, state, timings and (when done) result. */
public record RunRecord(String id, String kind, String model, JsonNode params, RunState state, String error,
                        JsonNode result, Instant createdAt, Instant startedAt, Instant finishedAt) {
}
