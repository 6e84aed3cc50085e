package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 26 item 8: a lens 422 about a file (a tuned lens's params.pt, a model's config.json) names it relative to its
 * lenses, models or data directory, never by the server's absolute path; what a client typed is echoed as typed.
 * The directories are configured as absolute paths here, as a deployment would (the tests' defaults are relative).
 */
@QuarkusTest
@TestProfile(ServerPathsApiTest.AbsoluteDirs.class)
class ServerPathsApiTest {
    static final Path DATA = Path.of("target", "paths-test-data-" + UUID.randomUUID()).toAbsolutePath();
    static final Path MODELS = Path.of("target", "paths-test-models").toAbsolutePath();

    public static class AbsoluteDirs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                // a model whose config.json says it has no heads: a checkpoint problem (422) that names the file
                Path broken = Files.createDirectories(MODELS.resolve("headless"));
                Files.writeString(broken.resolve("config.json"), Files.readString(Fixtures.dir("gpt2-tiny").resolve("config.json"))
                        .replace("\"n_head\": 4", "\"n_head\": 0"));
                Files.copy(Fixtures.dir("gpt2-tiny").resolve("tokenizer.json"), broken.resolve("tokenizer.json"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                // a tuned lens for gpt2-tiny whose params.pt is not a torch.save archive
                Path lens = Files.createDirectories(DATA.resolve("lenses").resolve("not-a-zip"));
                Files.copy(Path.of("src/test/resources/lenses/gpt2-tiny/config.json"), lens.resolve("config.json"));
                Files.writeString(lens.resolve("params.pt"), "not a zip archive");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("lensboard.data-dir", DATA.toString(),
                    "lensboard.models.dirs", Fixtures.root().toAbsolutePath() + "," + MODELS);
        }
    }

    @Test
    void aBadTunedLensFileIsNamedRelativeToTheDataDirectory() {
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "Once upon a time").queryParam("decoder", "tuned:not-a-zip")
                .get("/api/lens").then().statusCode(422)
                .body("error", containsString("lenses/not-a-zip/params.pt: not a zip-format torch.save file"))
                .body("error", not(containsString(DATA.toString())))
                .body("error", not(containsString(Path.of("").toAbsolutePath().toString())));
    }

    @Test
    void aCheckpointProblemIsNamedRelativeToItsModelsDirectory() {
        given().queryParam("model", "headless").queryParam("prompt", "Once upon a time").get("/api/lens").then().statusCode(422)
                .body("error", containsString("headless"))
                .body("error", not(containsString(MODELS.toString())))
                .body("error", not(containsString(Path.of("").toAbsolutePath().toString())));
    }

    @Test
    void whatTheClientTypedIsEchoedAsTyped() {
        given().queryParam("model", "hf:lensboard/x@../../x").queryParam("prompt", "hi").get("/api/lens").then().statusCode(400)
                .body("error", containsString("revision '../../x'"));
    }
}
