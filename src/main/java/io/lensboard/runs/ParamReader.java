package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a run's JSON parameters with ranges and defaults, collecting the normalised set (every
 * parameter, defaults filled in) that is stored with the run. Errors name the parameter and its range.
 */
public final class ParamReader {
    private final JsonNode params;
    private final ObjectNode normalised = JsonNodeFactory.instance.objectNode();
    private final Set<String> read = new HashSet<>();

    public ParamReader(JsonNode params) {
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new InvalidInputException("params must be a JSON object");
        }
        this.params = params == null ? JsonNodeFactory.instance.objectNode() : params;
    }

    private JsonNode get(String name) {
        read.add(name);
        JsonNode v = params.get(name);
        return v == null || v.isNull() ? null : v;
    }

    public String text(String name, String fallback) {
        JsonNode v = get(name);
        if (v == null && fallback == null) {
            throw new InvalidInputException("params." + name + " is required");
        }
        if (v != null && !v.isTextual()) {
            throw new InvalidInputException("params." + name + " must be a string");
        }
        String s = v == null ? fallback : v.asText();
        normalised.put(name, s);
        return s;
    }

    public String choice(String name, String fallback, List<String> options) {
        String s = text(name, fallback).toLowerCase();
        if (!options.contains(s)) {
            throw new InvalidInputException("params." + name + " must be one of " + options + ", got '" + s + "'");
        }
        normalised.put(name, s);
        return s;
    }

    public long integer(String name, long fallback, long min, long max) {
        JsonNode v = get(name);
        if (v != null && !v.canConvertToLong()) {
            throw new InvalidInputException("params." + name + " must be a whole number between " + min + " and " + max);
        }
        if (v != null && v.isFloatingPointNumber() && v.asDouble() != Math.rint(v.asDouble())) {
            throw new InvalidInputException("params." + name + " must be a whole number, got " + v);
        }
        long x = v == null ? fallback : v.asLong();
        if (x < min || x > max) {
            throw new InvalidInputException("params." + name + " must be between " + min + " and " + max + ", got " + x);
        }
        normalised.put(name, x);
        return x;
    }

    /** A number in (minExclusive, max]. */
    public double number(String name, double fallback, double minExclusive, double max) {
        JsonNode v = get(name);
        if (v != null && !v.isNumber()) {
            throw new InvalidInputException("params." + name + " must be a number");
        }
        double x = v == null ? fallback : v.asDouble();
        if (!(x > minExclusive && x <= max)) {
            throw new InvalidInputException("params." + name + " must be above " + minExclusive + " and at most " + max + ", got " + x);
        }
        normalised.put(name, x);
        return x;
    }

    public boolean bool(String name, boolean fallback) {
        JsonNode v = get(name);
        if (v != null && !v.isBoolean()) {
            throw new InvalidInputException("params." + name + " must be true or false");
        }
        boolean b = v == null ? fallback : v.asBoolean();
        normalised.put(name, b);
        return b;
    }

    /** Replaces a read parameter's stored value with its normalised form. */
    public void put(String name, String value) {
        normalised.put(name, value);
    }

    /** The normalised parameters; fails on a parameter no one read (a typo, most often). */
    public ObjectNode done() {
        for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!read.contains(name)) {
                throw new InvalidInputException("unknown parameter params." + name + "; known: " + read);
            }
        }
        return normalised;
    }
}
