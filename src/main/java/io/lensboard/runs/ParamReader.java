package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.lensboard.analysis.InvalidInputException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a run's JSON parameters one by one for {@link ParamSchema}, with ranges and defaults. Errors name the
 * parameter and its range. A null fallback on an optional parameter leaves it null for the kind to fill in.
 */
final class ParamReader {
    private final JsonNode params;
    private final Set<String> read = new HashSet<>();

    ParamReader(JsonNode params) {
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new InvalidInputException("params must be a JSON object");
        }
        this.params = params == null ? JsonNodeFactory.instance.objectNode() : params;
    }

    private JsonNode get(String name, boolean required) {
        read.add(name);
        JsonNode v = params.get(name);
        if ((v == null || v.isNull()) && required) {
            throw new InvalidInputException("params." + name + " is required");
        }
        return v == null || v.isNull() ? null : v;
    }

    String text(String name, String fallback, boolean required, int maxLength) {
        JsonNode v = get(name, required);
        if (v != null && !v.isTextual()) {
            throw new InvalidInputException("params." + name + " must be a string");
        }
        if (v != null && v.asText().length() > maxLength) {
            throw new InvalidInputException("params." + name + " is " + v.asText().length() + " characters long; at most " + maxLength);
        }
        return v == null ? fallback : v.asText();
    }

    String choice(String name, String fallback, List<String> options) {
        String s = text(name, fallback, false, ParamSchema.DEFAULT_MAX_LENGTH);
        if (s == null) {
            return null;
        }
        s = s.toLowerCase();
        if (!options.contains(s)) {
            throw new InvalidInputException("params." + name + " must be one of " + options + ", got '" + s + "'");
        }
        return s;
    }

    Long integer(String name, Long fallback, long min, long max, boolean required) {
        JsonNode v = get(name, required);
        if (v != null && !v.canConvertToLong()) {
            throw new InvalidInputException("params." + name + " must be a whole number between " + min + " and " + max);
        }
        if (v != null && v.isFloatingPointNumber() && v.asDouble() != Math.rint(v.asDouble())) {
            throw new InvalidInputException("params." + name + " must be a whole number, got " + v);
        }
        Long x = v == null ? fallback : Long.valueOf(v.asLong());
        if (x != null) {
            ParamSchema.range(name, x, min, max);
        }
        return x;
    }

    /** A number in [min, max], or (min, max] when {@code minExclusive}. */
    Double number(String name, Double fallback, double min, boolean minExclusive, double max, boolean required) {
        JsonNode v = get(name, required);
        if (v != null && !v.isNumber()) {
            throw new InvalidInputException("params." + name + " must be a number");
        }
        Double x = v == null ? fallback : Double.valueOf(v.asDouble());
        if (x == null) {
            return null;
        }
        boolean aboveMin = minExclusive ? x > min : x >= min;
        if (!aboveMin || !(x <= max)) {
            throw new InvalidInputException("params." + name + " must be " + (minExclusive ? "above " + min + " and at most " + max
                    : "between " + min + " and " + max) + ", got " + x);
        }
        return x;
    }

    Boolean bool(String name, Boolean fallback) {
        JsonNode v = get(name, false);
        if (v != null && !v.isBoolean()) {
            throw new InvalidInputException("params." + name + " must be true or false");
        }
        return v == null ? fallback : Boolean.valueOf(v.asBoolean());
    }

    /** Fails on a parameter no one read (a typo, most often). */
    void done() {
        for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!read.contains(name)) {
                throw new InvalidInputException("unknown parameter params." + name + "; known: " + read);
            }
        }
    }
}
