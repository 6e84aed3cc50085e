package io.lensboard.model.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Hugging Face hub's rules for the names in a hub id and in the hub's answers, checked before any of
 * them becomes part of a path or a URL. Each {@code ...Problem} method returns null for a good name, else
 * what is wrong with it, for a message that says what to change.
 */
public final class HubNames {
    /** Longest model id accepted, hub or local. */
    public static final int MAX_ID = 256;
    /** The hub's own limit on an owner or a repository name (huggingface_hub's validate_repo_id). */
    static final int MAX_NAME = 96;
    static final int MAX_REVISION = 128;
    static final int MAX_FILE = 512;
    /** A file name's limit on common file systems. */
    static final int MAX_SEGMENT = 255;

    // Letters, digits, '_', '-', '.'; no '-' or '.' at either end; no "--" (it separates owner and name in the
    // cache's models--owner--repo) and no "..": the hub's rules for owners and repositories.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    // A branch or tag: names of letters, digits, '_', '-', '.' (not first) joined by single '/'; or a commit.
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    private HubNames() {}

    /** What is wrong with {@code owner/repo}, or null. */
    public static String repoProblem(String repo) {
        int slash = repo.indexOf('/');
        if (slash < 0 || repo.indexOf('/', slash + 1) >= 0) {
            return "a repository is <owner>/<name>, with exactly one '/'";
        }
        for (String name : new String[] {repo.substring(0, slash), repo.substring(slash + 1)}) {
            if (name.length() > MAX_NAME) {
                return "'" + name + "' is longer than the hub's " + MAX_NAME + " characters";
            }
            if (!NAME.matcher(name).matches() || name.contains("--") || name.contains("..")) {
                return "'" + name + "' is not a hub name: use letters, digits, '-', '_' and '.', without '--' or '..'"
                        + " and without '-' or '.' at either end";
            }
        }
        return null;
    }

    /** What is wrong with a revision (a branch, a tag or a commit), or null. */
    public static String revisionProblem(String revision) {
        if (revision.length() > MAX_REVISION) {
            return "it is longer than " + MAX_REVISION + " characters";
        }
        if (revision.contains("..") || !REVISION.matcher(revision).matches()) {
            return "a revision is a branch or tag name (letters, digits, '-', '_', '.', names joined by single '/',"
                    + " no '..', nothing before the first name) or a 40-digit commit";
        }
        return null;
    }

    /**
     * What is wrong with a file's path inside a repository, or null: relative, '/'-separated names that are
     * not empty, '.' or '..', without backslashes or control characters.
     */
    public static String fileProblem(String path) {
        if (path.isEmpty() || path.length() > MAX_FILE) {
            return "a file path in a repository has 1 to " + MAX_FILE + " characters";
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
            return "a file path in a repository has no backslash or control character";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.length() > MAX_SEGMENT) {
                return "a file path in a repository is relative, its names joined by single '/', none of them '.' or '..'"
                        + " or longer than " + MAX_SEGMENT + " characters";
            }
        }
        return null;
    }

    /** Whether {@code s} is a commit as the hub names one: 40 lowercase hex digits. */
    public static boolean isCommit(String s) {
        return s != null && COMMIT.matcher(s).matches();
    }

    /** An ETag header's value without {@code W/} and quotes, if it is a safe token to name a blob after. */
    static Optional<String> etag(String header) {
        String value = header.replaceFirst("^W/", "");
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return ETAG.matcher(value).matches() && !value.contains("..") ? Optional.of(value) : Optional.empty();
    }

    /** {@code s} percent-encoded for a URL path, every byte but A-Z a-z 0-9 - . _ ~ escaped ('/' too). */
    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
