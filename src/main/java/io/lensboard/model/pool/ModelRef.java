package io.lensboard.model.pool;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model id as users write it: {@code gpt2-tiny}, {@code hf:owner/repo[@revision]} (a Hugging Face layout
 * repository), {@code hf:owner/repo/path/to/file.gguf[@revision]} (one GGUF file of a repository), each
 * optionally followed by {@code :untrained} or {@code :untrained:<seed>} for its randomly initialised twin.
 */
public record ModelRef(String id, String base, Long untrainedSeed) {
    private static final Pattern ID = Pattern.compile("(.+?)(:untrained(?::(\\d{1,18}))?)?");
    private static final Pattern HUB = Pattern.compile("hf:([\\w.-]+/[\\w.-]+)((?:/[\\w.-]+)*\\.gguf)?(?:@([\\w./-]+))?");

    public static ModelRef parse(String id) {
        if (id == null || id.isBlank()) {
            throw new UnknownModelException("no model given: pass model=<id> (GET /api/models lists them)");
        }
        Matcher m = ID.matcher(id.trim());
        if (!m.matches()) {
            throw new UnknownModelException("'" + id + "' is not a model id");
        }
        Long seed = m.group(2) == null ? null : m.group(3) == null ? 0L : Long.parseLong(m.group(3));
        ModelRef ref = new ModelRef(id.trim(), m.group(1), seed);
        if (ref.isHub() && !HUB.matcher(ref.base).matches()) {
            throw new UnknownModelException("'" + id + "' is not a hub id: write hf:<owner>/<repo>[@<revision>] or hf:<owner>/<repo>/<path/to/file.gguf>[@<revision>]");
        }
        return ref;
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
