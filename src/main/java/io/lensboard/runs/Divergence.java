package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * A run diverged when a number it reports became NaN or infinite: the run loop looks through every event's data and
 * the result as JSON trees, whatever the kind, so no kind has to name its fields; such a run fails
 * ("diverged at step 3: loss NaN"), its diverged step unstored, and is never done.
 */
final class Divergence extends RuntimeException {
    private Divergence(String message) {
        super(message);
    }

    /** Throws for step {@code step} (0: the job's opening) when any number in {@code data} is not finite. */
    static void check(int step, JsonNode data) {
        nonFinite(data, "").ifPresent(where -> {
            throw new Divergence("diverged at step " + step + ": " + where);
        });
    }

    /** "loss NaN", "values[2] Infinity": the path of the first non-finite number and its value. */
    static Optional<String> nonFinite(JsonNode node, String path) {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            return Optional.of((path.isEmpty() ? "value" : path) + " " + node.doubleValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                Optional<String> found = nonFinite(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey());
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> found = nonFinite(node.get(i), path + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
