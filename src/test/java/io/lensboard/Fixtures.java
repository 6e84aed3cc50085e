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

    /** (model, prompt number) for every golden/promptN.json, for the parameterized golden tests. */
    public static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> goldenPrompts() {
        return java.util.stream.Stream.of("gpt2-tiny", "llama-tiny", "stories260K/hf")
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
