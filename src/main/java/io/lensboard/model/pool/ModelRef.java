package io.lensboard.model.pool;

import io.lensboard.model.checkpoint.HubNames;
import io.lensboard.model.InvalidModelIdException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model id as users write it: {@code gpt2-tiny}, {@code hf:owner/repo[@revision]} (a Hugging Face layout
 * repository), {@code hf:owner/repo/path/to/file.gguf[@revision]} (one GGUF file of a repository), each
 * optionally followed by {@code :untrained} or {@code :untrained:<seed>} for its randomly initialised twin; or a
 * hybrid {@code STEM+STACK} of two such ids (a ViT's stem in front of another model's blocks).
 */
public record ModelRef(String id, String base, Long untrainedSeed) {
    private static final String UNTRAINED = ":untrained";
    private static final Pattern ID = Pattern.compile("(.+?)(" + UNTRAINED + "(?::(\\d{1,18}))?)?");
    // Splits a hub id into repository, file and revision; HubNames checks each part in parse.
    private static final Pattern HUB = Pattern.compile("hf:([^/@]*/[^/@]*)(/[^@]*)?(?:@(.*))?");
    // Names in a GGUF file's path inside an id: stricter than the hub's, so '@' and ':' keep their meaning in the id.
    private static final Pattern GGUF = Pattern.compile("[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*\\.gguf");
    private static final String HUB_FORMS = "write hf:<owner>/<repo>[@<revision>] or hf:<owner>/<repo>/<path/to/file.gguf>[@<revision>]";

    public static ModelRef parse(String id) {
        id = canonical(id);
        if (id == null || id.isBlank()) {
            throw new InvalidModelIdException("no model given: pass model=<id> (GET /api/models lists them)");
        }
        if (id.length() > 2 * HubNames.MAX_ID + 1) {
            throw new InvalidModelIdException("the model id is " + id.length() + " characters long; ids have at most "
                    + HubNames.MAX_ID + " characters (a hybrid STEM+STACK twice that)");
        }
        if (id.contains("+")) {
            return hybrid(id.trim());
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

    /**
     * The id with a hybrid's '+' restored where a query string turned it into a space: an unescaped
     * {@code ?model=vit-tiny+gpt2-tiny} arrives as {@code vit-tiny gpt2-tiny}. Model ids never hold spaces, so two
     * words joined by one space (what a '+' decodes to) are read as STEM+STACK, then checked as such, whatever each
     * word's source (local or hub). One pair needs to know the local models: a hub id then a local one
     * ({@code hf:google/vit-base-patch16-224 gpt2-tiny}) is the hybrid where {@code isLocal} knows the second word's
     * model; else ({@code hf:a/b c}) it stays one hub id with a space inside its name, refused for its name.
     * Anything else is returned as it is.
     */
    public static String canonical(String id, Predicate<String> isLocal) {
        if (id == null || id.contains("+")) {
            return id;
        }
        String[] words = id.trim().split(" ", -1);
        if (words.length != 2 || words[0].isEmpty() || words[1].isEmpty()) {
            return id;
        }
        boolean hubThenLocal = words[0].startsWith("hf:") && !words[1].startsWith("hf:");
        return !hubThenLocal || isLocal.test(untrainedStripped(words[1])) ? words[0] + "+" + words[1] : id;
    }

    /** {@link #canonical(String, Predicate)} knowing no local model: what a bare id can say about itself. */
    public static String canonical(String id) {
        return canonical(id, local -> false);
    }

    /** The word without its ':untrained' or ':untrained:<seed>'. */
    private static String untrainedStripped(String word) {
        Matcher m = ID.matcher(word);
        return m.matches() ? m.group(1) : word;
    }

    /** STEM+STACK: each part a model id of its own (with its own ':untrained'), checked as such. */
    private static ModelRef hybrid(String id) {
        String[] parts = id.split("\\+", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new InvalidModelIdException("'" + id + "' is not a hybrid id: write STEM+STACK with one '+', "
                    + "e.g. vit-tiny+gpt2-tiny or hf:google/vit-base-patch16-224+hf:openai-community/gpt2");
        }
        parse(parts[0]);
        parse(parts[1]);
        return new ModelRef(id, id, null);
    }

    /** Whether this is a hybrid STEM+STACK: a ViT's embeddings, then another model's blocks. */
    public boolean isHybrid() {
        return base.contains("+");
    }

    /** A hybrid's stem (the ViT), with its own ':untrained' if it has one. */
    public ModelRef stem() {
        return parse(base.substring(0, base.indexOf('+')));
    }

    /** A hybrid's stack (the model whose blocks run), with its own ':untrained' if it has one. */
    public ModelRef stack() {
        return parse(base.substring(base.indexOf('+') + 1));
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

    /**
     * The id of the model's twin: the trained model for an untrained twin ({@code gpt2-tiny:untrained:7} →
     * {@code gpt2-tiny}), else its untrained twin ({@code gpt2-tiny} → {@code gpt2-tiny:untrained}); a hybrid's
     * twin is its stack's.
     */
    public static String twin(String id) {
        return namesUntrained(id) ? id.replaceFirst(UNTRAINED + "(:\\d+)?$", "") : id + UNTRAINED;
    }

    /** Whether the id names an untrained twin, or a hybrid with one, without parsing it. */
    public static boolean namesUntrained(String id) {
        return id.contains(UNTRAINED);
    }

    /** A hub id (a hybrid is not one, though its parts may be). */
    public boolean isHub() {
        return !isHybrid() && base.startsWith("hf:");
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
