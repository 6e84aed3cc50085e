package io.lensboard.corpora;

import io.lensboard.LensboardConfig;
import io.lensboard.Threads;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.storage.Storage;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Corpora: the built-in default (sampled from stories260K, see README "Corpora"), the UTF-8 {@code *.txt} files of
 * the directories in {@code lensboard.corpora.dirs}, and uploads, kept in the database ({@link CorpusStore}) so that
 * every replica sees them and their quota. A corpus is named after its file without {@code .txt}; when two share a
 * name the first listed wins. Every file is resolved inside its own directory (symlinks too), so a name can never
 * reach outside it.
 */
@ApplicationScoped
public class Corpora {
    private static final Logger LOG = Logger.getLogger(Corpora.class);
    /** The corpus a run reads when it names none. */
    public static final String DEFAULT = "tinystories-sampled";
    private static final String DEFAULT_RESOURCE = "/corpora/" + DEFAULT + ".txt";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** A corpus as listed: its name, where it comes from ({@code built-in}, {@code directory} or {@code uploaded}) and its size. */
    public record Corpus(String name, String source, long bytes) {}

    /** What the uploaded corpora take, and what they may. */
    public record Usage(long count, long bytes, int maxCount, long maxBytes) {}

    /** A listed corpus and the directory that holds it (null for the built-in one and uploads); never shown. */
    private record Entry(Corpus corpus, Path dir) {}

    @Inject
    LensboardConfig config;

    @Inject
    CorpusStore store;

    @Inject
    Storage storage;

    /** Where uploads were kept before V13: files there are moved into the database at start. */
    private Path oldUploads() {
        return Path.of(config.dataDir()).toAbsolutePath().normalize().resolve("corpora");
    }

    /** Every corpus, the default first. Blocking: reads directories. */
    public List<Corpus> list() {
        Threads.blocking("listing corpora");
        return byName().values().stream().map(Entry::corpus).toList();
    }

    private Map<String, Entry> byName() {
        Map<String, Entry> out = new LinkedHashMap<>();
        out.put(DEFAULT, new Entry(new Corpus(DEFAULT, "built-in", defaultText().length), null));
        for (String dir : config.corpora().dirs().orElse(List.of())) {
            if (!dir.isBlank()) {
                scan(Path.of(dir.trim()), "directory", out);
            }
        }
        if (storage.problem().isEmpty()) { // no database: the built-in corpus and the directories' still work
            store.sizes().forEach((name, bytes) -> out.putIfAbsent(name, new Entry(new Corpus(name, "uploaded", bytes), null)));
        }
        return out;
    }

    private static void scan(Path dir, String source, Map<String, Entry> out) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.sorted().forEach(f -> {
                String file = f.getFileName().toString();
                String name = file.endsWith(".txt") ? file.substring(0, file.length() - 4) : "";
                if (NAME.matcher(name).matches() && !out.containsKey(name) && inside(dir, f) && Files.isRegularFile(f)) {
                    out.put(name, new Entry(new Corpus(name, source, size(f)), dir));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the corpora in " + dir.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code file}, symlinks followed, lies in {@code dir}. */
    private static boolean inside(Path dir, Path file) {
        try {
            return file.toRealPath().startsWith(dir.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The corpus's name (the default for none), checked: a 400 that lists the corpora there are if it is unknown. */
    public String check(String name) {
        Threads.blocking("looking up a corpus");
        String n = name == null || name.isBlank() ? DEFAULT : name.trim();
        entry(n);
        return n;
    }

    /** The corpus's entry, or a 400 that lists the corpora there are. */
    private Entry entry(String name) {
        Map<String, Entry> all = byName();
        Entry e = all.get(name);
        if (e == null) {
            throw new InvalidInputException("no corpus '" + name + "'; there are: " + String.join(", ", all.keySet()));
        }
        return e;
    }

    /**
     * The first {@code maxBytes} bytes of the corpus (null: the default) as text, cut at the last whole line within
     * them when the corpus is longer, so that no character or word is split. Blocking: reads a file or the database.
     */
    public String read(String name, long maxBytes) {
        Threads.blocking("reading a corpus");
        String n = name == null || name.isBlank() ? DEFAULT : name.trim();
        Entry corpus = entry(n);
        byte[] bytes;
        if (DEFAULT.equals(n)) {
            bytes = defaultText();
        } else if (corpus.dir() == null) {
            bytes = store.text(n).orElseThrow(() -> new InvalidInputException("no corpus '" + n + "': it was deleted"));
        } else {
            try (InputStream in = Files.newInputStream(corpus.dir().resolve(n + ".txt"))) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus '" + n + "': " + e.getMessage(), e);
            }
        }
        int end = bytes.length;
        if (end > maxBytes) {
            end = (int) maxBytes;
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
        }
        return utf8(n, bytes, end);
    }

    private static String utf8(String name, byte[] bytes, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("corpus '" + name + "' is not UTF-8 text: save it as UTF-8");
        }
    }

    /** The built-in corpus's text. */
    public static String builtIn() {
        return new String(defaultText(), StandardCharsets.UTF_8);
    }

    private static byte[] defaultText() {
        try (InputStream in = Corpora.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stores an uploaded corpus under a safe form of {@code name} (letters, digits, '.', '_' and '-'; anything else
     * becomes '-'), refusing text that is empty, too large or not UTF-8 (400), and a name already taken (409). Blocking.
     */
    public Corpus save(String name, byte[] text) {
        Threads.blocking("storing a corpus");
        String safe = sanitise(name);
        long limit = config.corpora().maxUpload().asLongValue();
        if (text.length == 0) {
            throw new InvalidInputException("the corpus is empty: send some UTF-8 text");
        }
        if (text.length > limit) {
            throw new InvalidInputException("the corpus is " + text.length + " bytes; at most " + limit
                    + " can be uploaded: shorten it, or put it in a directory of LENSBOARD_CORPORA_DIRS");
        }
        utf8(safe, text, text.length);
        storage.require("corpora");
        if (byName().containsKey(safe)) { // the built-in corpus or a directory's; uploads are checked by the store too
            throw new CorpusNameTakenException(safe);
        }
        store.insert(safe, text, config.corpora().quotaCount(), config.corpora().quotaBytes().asLongValue(), true);
        return new Corpus(safe, "uploaded", text.length);
    }

    /** The uploaded corpora's count and bytes (directories' corpora and the built-in one are not counted). Blocking. */
    public Usage usage() {
        Threads.blocking("measuring corpora");
        storage.require("corpora");
        CorpusStore.Stored stored = store.stored();
        return new Usage(stored.count(), stored.bytes(), config.corpora().quotaCount(), config.corpora().quotaBytes().asLongValue());
    }

    /**
     * Deletes an uploaded corpus, freeing its share of the quota: a 404 when there is none by that name, a 409 for the
     * built-in one and those of LENSBOARD_CORPORA_DIRS. Runs that trained on it keep their results; a new run naming
     * it is refused (400) like any unknown corpus; a run that has started read its text already. Blocking.
     */
    public void delete(String name) {
        Threads.blocking("deleting a corpus");
        storage.require("corpora");
        Map<String, Entry> all = byName();
        Entry e = all.get(name);
        if (e == null) {
            throw CorpusProblem.unknown(name, all.keySet());
        }
        if (!"uploaded".equals(e.corpus().source())) {
            throw CorpusProblem.notUploaded(name, e.corpus().source());
        }
        if (!store.delete(name)) {
            throw CorpusProblem.unknown(name, all.keySet()); // deleted meanwhile, on this replica or another
        }
    }

    /**
     * Moves the uploads an older version kept as files ({@code ${lensboard.data-dir}/corpora/NAME.txt}) into the
     * database, outside the quota (they were accepted once); a file whose name is stored already stays, with a warning.
     * After {@link Storage}'s migration (its observer runs first).
     */
    void moveOldUploads(@Observes StartupEvent start) {
        Path dir = oldUploads();
        if (storage.problem().isPresent() || !Files.isDirectory(dir)) {
            return;
        }
        Map<String, Entry> files = new LinkedHashMap<>();
        scan(dir, "uploaded", files);
        for (String name : files.keySet()) {
            Path file = dir.resolve(name + ".txt");
            try {
                store.insert(name, Files.readAllBytes(file), 0, 0, false);
                Files.delete(file);
                LOG.infof("corpus '%s' moved from the data directory's corpora/ into the database", name);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("corpus file corpora/%s.txt in the data directory is not moved into the database (%s); "
                        + "rename it and restart, or upload it again", name, e.getMessage());
            }
        }
    }

    /** "My stories (v2).txt" is "My-stories-v2-"; a name with nothing usable is refused. */
    static String sanitise(String name) {
        String n = name == null ? "" : name.trim();
        if (n.endsWith(".txt")) {
            n = n.substring(0, n.length() - 4);
        }
        n = n.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[._-]+", "");
        if (n.length() > 100) {
            n = n.substring(0, 100);
        }
        if (!NAME.matcher(n).matches()) {
            throw new InvalidInputException("name the corpus with letters, digits, '.', '_' or '-' (got '" + name + "')");
        }
        return n;
    }
}
