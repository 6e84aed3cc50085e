package io.lensboard.web.common;

import java.util.regex.Pattern;

/** What an error answer says: messages cleaned of what a user cannot use (Java's names, server paths) and advice. */
public final class ErrorMessages {
    private ErrorMessages() {}

    /**
     * A disk or network failure's message without Java's names ("java.net.ConnectException: ", Jackson's "from
     * `StreamReadConstraints.getMaxNestingDepth()`"): they say nothing to a user and tell an attacker the stack.
     */
    private static final Pattern CLASS_NAME =
            Pattern.compile("(?:\\b[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error)(?::\\s*)?|,? from `[\\w.()]+`");

    static String withoutClassNames(Throwable t) {
        String message = t.getMessage() == null ? "" : CLASS_NAME.matcher(t.getMessage()).replaceAll("").trim();
        if (!message.isEmpty()) {
            return message;
        }
        return t instanceof java.net.ConnectException || t.getCause() instanceof java.net.ConnectException ? "connection refused"
                : t instanceof java.net.http.HttpTimeoutException ? "timed out" : "input/output error";
    }

    /** Quarkus REST's multipart parser's message when a body has more parts than quarkus.http.limits.max-parameters. */
    private static final Pattern TOO_MANY_PARTS = Pattern.compile("Param limit of (\\d+) was exceeded");

    /** The 400's message for a multipart body with too many parts, or null when {@code message} is not that failure. */
    static String tooManyParts(String message) {
        if (message == null || !TOO_MANY_PARTS.matcher(message).matches()) {
            return null;
        }
        return "the multipart body has more parts than the " + TOO_MANY_PARTS.matcher(message).replaceAll("$1")
                + " allowed: send one 'file' and its few fields";
    }

    private static final Pattern PATH = Pattern.compile("(?<![\\w.:/-])(?:\\.\\.?)?(?:/[\\w.@+-]+)+/([\\w.@+-]*)");

    /** A message for a page: a server file path in it shortened to its file name (a page never shows where files live). */
    public static String withoutPaths(String message) {
        return message == null ? null : PATH.matcher(message).replaceAll("$1");
    }

    /** What a call at this path takes, for a 415: the uploads take files, the rest of the API JSON, the pages forms. */
    static String wantedBody(String path) {
        if (path.endsWith("/images")) {
            return "a PNG or JPEG, as the multipart field 'file' or as the body with Content-Type image/png or image/jpeg";
        }
        if (path.equals("/corpora")) {
            return "a multipart form (multipart/form-data) with the fields 'file' and 'name'";
        }
        if (path.endsWith("/corpora")) {
            return "UTF-8 text as the body with Content-Type text/plain (and ?name=NAME), or a multipart form with the fields "
                    + "'file' and 'name'";
        }
        return path.startsWith("/api/") ? "JSON with Content-Type: application/json" : "a form (application/x-www-form-urlencoded)";
    }
}
