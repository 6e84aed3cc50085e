package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A data directory that cannot be used: the service starts, the lens works, runs are refused with 503 and the reason. */
@QuarkusTest
@TestProfile(StorageProblemTest.UnusableDataDir.class)
class StorageProblemTest {
    public static class UnusableDataDir implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                // below a regular file: no directory can be made there, not even by root
                Path file = Files.createTempFile("lensboard-not-a-dir", ".txt");
                return Map.of("lensboard.data-dir", file.resolve("data").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void lensWorksAndRunsAreRefusedWithTheReason() {
        Fixtures.root();
        given().contentType("application/json").body(Map.of("kind", "reconstruction", "model", "gpt2-tiny", "params", Map.of("prompt", "x")))
                .post("/api/runs").then().statusCode(503).body("error", containsString("runs cannot be stored"))
                .body("error", containsString("LENSBOARD_DATA_DIR"));
        given().get("/api/runs").then().statusCode(503);
        given().get("/api/lens?model=gpt2-tiny&prompt=Still%20works").then().statusCode(200);
    }
}
