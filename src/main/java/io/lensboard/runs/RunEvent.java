package io.lensboard.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;

/**
 * One entry of a run's event log: {@code seq} is its SSE id; {@code data} is JSON. The one codec of an event: as
 * stored ({@link #json()} reads its data), and as the Vert.x event bus carries it ({@link #message()},
 * {@link #of(JsonObject)}).
 */
public record RunEvent(long seq, String type, String data) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The event's data, parsed; stored data that is not JSON is a bug, not bad input. */
    public JsonNode json() {
        try {
            return JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored event is not JSON: " + e.getMessage(), e);
        }
    }

    /** The event as the event bus carries it to this replica's viewers. */
    public JsonObject message() {
        return new JsonObject().put("seq", seq).put("type", type).put("data", data);
    }

    /** The event from an event-bus {@link #message()}. */
    public static RunEvent of(JsonObject message) {
        return new RunEvent(message.getLong("seq"), message.getString("type"), message.getString("data"));
    }
}
