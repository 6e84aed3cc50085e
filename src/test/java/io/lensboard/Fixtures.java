package io.lensboard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared fixtures in ../shared/fixtures; tests that need them are skipped, with a message, when absent. */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        Path root = Path.of(System.getProperty("shared.fixtures", "../shared/fixtures")).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(root), "skipped: the shared fixtures are not at " + root + " (check out ../shared beside the repo)");
        return root;
    }

    public static Path dir(String name) {
        Path dir = root().resolve(name);
        assumeTrue(Files.isDirectory(dir), "skipped: fixture " + dir + " is missing");
        return dir;
    }

    /** A fixture file or directory. */
    public static Path path(String name) {
        Path path = root().resolve(name);
        assumeTrue(Files.exists(path), "skipped: fixture " + path + " is missing");
        return path;
    }

    /** The three forms of stories260K: Hugging Face layout, GGUF, and llama2.c (.bin + tok512.bin). */
    public static final java.util.List<String> STORIES = java.util.List.of("stories260K/hf", "stories260K/stories260K.gguf", "stories260K");

    /** Where a model's goldens are: stories260K's, in any form, are in stories260K/hf/golden. */
    public static Path goldenDir(String model) {
        return dir(model.startsWith("stories260K") ? "stories260K/hf" : model).resolve("golden");
    }

    /** (model, prompt number) for every golden/promptN.json and every form of stories260K, for the golden tests. */
    public static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> goldenPrompts() {
        return java.util.stream.Stream.of("gpt2-tiny", "llama-tiny", "stories260K/hf", "stories260K/stories260K.gguf", "stories260K")
                .flatMap(m -> java.util.stream.Stream.of(0, 1, 2).map(i -> org.junit.jupiter.params.provider.Arguments.of(m, i)));
    }

    public static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
