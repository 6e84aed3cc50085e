package io.lensboard.model.pool;

import io.lensboard.model.checkpoint.HubNames;
import io.lensboard.model.InvalidModelIdException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model id as users write it: {@code gpt2-tiny}, {@code hf:owner/repo[@revision]} (a Hugging Face layout
 * repository), {@code hf:owner/repo/path/to/file.gguf[@revision]} (one GGUF file of a repository), each
 * optionally followed by {@code :untrained} or {@code :untrained:<seed>} for its randomly initialised twin.
 */
public record ModelRef(String id, String base, Long untrainedSeed) {
    private static final Pattern ID = Pattern.compile("(.+?)(:untrained(?::(\\d{1,18}))?)?");
    // Splits a hub id into repository, file and revision; HubNames checks each part in parse.
    private static final Pattern HUB = Pattern.compile("hf:([^/@]*/[^/@]*)(/[^@]*)?(?:@(.*))?");
    // Names in a GGUF file's path inside an id: stricter than the hub's, so '@' and ':' keep their meaning in the id.
    private static final Pattern GGUF = Pattern.compile("[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*\\.gguf");
    private static final String HUB_FORMS = "write hf:<owner>/<repo>[@<revision>] or hf:<owner>/<repo>/<path/to/file.gguf>[@<revision>]";

    public static ModelRef parse(String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidModelIdException("no model given: pass model=<id> (GET /api/models lists them)");
        }
        if (id.length() > HubNames.MAX_ID) {
            throw new InvalidModelIdException("the model id is " + id.length() + " characters long; ids have at most "
                    + HubNames.MAX_ID + " characters");
        }
        Matcher m = ID.matcher(id.trim());
        if (!m.matches()) {
            throw new UnknownModelException("'" + id + "' is not a model id");
        }
        Long seed = m.group(2) == null ? null : m.group(3) == null ? 0L : Long.parseLong(m.group(3));
        ModelRef ref = new ModelRef(id.trim(), m.group(1), seed);
        if (ref.isHub()) {
            checkHub(ref);
        }
        return ref;
    }

    /** Refuses a hub id whose repository, file or revision breaks the hub's rules (HubNames), naming the part. */
    private static void checkHub(ModelRef ref) {
        Matcher m = HUB.matcher(ref.base);
        if (!m.matches()) {
            throw new InvalidModelIdException("'" + ref.id + "' is not a hub id: " + HUB_FORMS);
        }
        String repoProblem = HubNames.repoProblem(m.group(1));
        if (repoProblem != null) {
            throw invalidPart(ref, "repository", m.group(1), repoProblem);
        }
        String file = m.group(2) == null ? null : m.group(2).substring(1);
        if (file != null) {
            String fileProblem = HubNames.fileProblem(file);
            if (fileProblem == null && !GGUF.matcher(file).matches()) {
                fileProblem = "a file in a hub id is a .gguf file, its path made of letters, digits, '-', '_', '.' and '/'";
            }
            if (fileProblem != null) {
                throw invalidPart(ref, "file", file, fileProblem);
            }
        }
        if (m.group(3) != null) {
            String revisionProblem = HubNames.revisionProblem(m.group(3));
            if (revisionProblem != null) {
                throw invalidPart(ref, "revision", m.group(3), revisionProblem);
            }
        }
    }

    private static InvalidModelIdException invalidPart(ModelRef ref, String part, String value, String problem) {
        return new InvalidModelIdException("the " + part + " '" + value + "' in '" + ref.id + "' is not allowed: " + problem
                + "; " + HUB_FORMS);
    }

    public boolean untrained() {
        return untrainedSeed != null;
    }

    public boolean isHub() {
        return base.startsWith("hf:");
    }

    /** owner/repo of a hub id. */
    public String hubRepo() {
        Matcher m = HUB.matcher(base);
        return m.matches() ? m.group(1) : null;
    }

    /** The revision of a hub id, "main" unless given. */
    public String hubRevision() {
        Matcher m = HUB.matcher(base);
        return m.matches() && m.group(3) != null ? m.group(3) : "main";
    }

    /** The GGUF file's path in the repository, or null for a Hugging Face layout repository. */
    public String hubFile() {
        Matcher m = HUB.matcher(base);
        return m.matches() && m.group(2) != null ? m.group(2).substring(1) : null;
    }
}
