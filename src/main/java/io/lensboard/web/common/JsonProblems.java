package io.lensboard.web.common;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/** A JSON request body that does not parse, or whose values have the wrong types, in words a client can act on. */
final class JsonProblems {
    private JsonProblems() {}

    /** Where the body went wrong and what it must be; never Jackson's own message (it names classes and the input source). */
    static String message(JsonProcessingException e) {
        if (e instanceof MismatchedInputException m) {
            String field = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce("", (a, b) -> a.isEmpty() || b.startsWith("[") ? a + b : a + "." + b);
            String expected = expected(m.getTargetType());
            return field.isEmpty() ? "the body must be a JSON object {…}, not " + found(m)
                    : "'" + field + "' has the wrong type: it must be " + expected;
        }
        JsonLocation at = e.getLocation();
        return "the body is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                + ": send a JSON object, e.g. {\"kind\": \"…\", \"model\": \"…\", \"params\": {…}}";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array [...]";
        }
        return "a JSON object {…}";
    }

    private static String found(MismatchedInputException m) {
        String message = m.getOriginalMessage();
        return message != null && message.contains("Array") ? "an array" : "a single value";
    }
}
