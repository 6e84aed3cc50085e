package io.lensboard.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * An event type whose data is a record {@code E}: the kind emits the record, the store keeps its JSON, and code outside
 * the kind reads the JSON back into the record to ask its types (a {@link TokenText} is a token, a {@link TokenEvent}
 * shows the run's tokens) instead of looking for fields by name. A kind lists these in {@link RunKind#eventRecords()}.
 */
public record EventRecord<E extends Record>(String type, Class<E> data) {

    public void emit(RunKind.Progress progress, E event) {
        progress.emit(type, event);
    }

    /** A stored event's data as its kind's record, or empty when the kind declares no record for {@code type}. */
    public static Optional<Record> read(RunKind<?> kind, String type, JsonNode data, ObjectMapper json) {
        for (EventRecord<?> e : kind.eventRecords()) {
            if (e.type.equals(type)) {
                try {
                    return Optional.of(json.treeToValue(data, e.data));
                } catch (JsonProcessingException ex) {
                    throw new IllegalStateException("a stored " + kind.name() + " " + type + " event is not a " + e.data.getSimpleName()
                            + ": " + ex.getOriginalMessage(), ex);
                }
            }
        }
        return Optional.empty();
    }
}
