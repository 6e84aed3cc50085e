package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.Await;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The data directory on a 4 MB tmpfs (mounted by the test; skipped where mounting is not allowed): when the disk
 * fills up a new run is refused with 503 and nothing stored is lost; when space returns the service takes runs
 * again, with no restart.
 */
@QuarkusTest
@TestProfile(DiskFullTest.SmallDisk.class)
class DiskFullTest {
    static final Path MOUNT = Path.of(System.getProperty("java.io.tmpdir"), "lensboard-small-disk");

    public static class SmallDisk implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            boolean mounted = false;
            try {
                Files.createDirectories(MOUNT);
                mounted = mounted() || new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", MOUNT.toString())
                        .inheritIO().start().waitFor() == 0; // Quarkus may ask for the overrides more than once
            } catch (IOException | InterruptedException e) {
                // not allowed here: the test skips
            }
            return Map.of("lensboard.data-dir", mounted ? MOUNT.resolve("data").toString() : MOUNT.resolve("unmounted").toString(),
                    "lensboard.runs.queue-limit", "100");
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        for (int i = 0; i < 5 && mounted(); i++) {
            new ProcessBuilder("umount", "-l", MOUNT.toString()).inheritIO().start().waitFor();
        }
    }

    private static boolean mounted() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.contains(" " + MOUNT + " tmpfs "));
    }

    @Test
    void aFullDiskRefusesRunsAndTheServiceRecoversWhenSpaceReturns() throws Exception {
        assumeTrue(mounted(), "skipped: mounting a small tmpfs needs root (CI and the developer machines have it)");
        Fixtures.root();
        String kept = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "kept", "steps", 1));
        RunsApi.finished(kept);

        Path filler = MOUNT.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[64 * 1024];
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // the disk is full
        }
        given().contentType("application/json").body(Map.of("kind", "reconstruction", "model", "gpt2-tiny", "params", Map.of("prompt", " x".repeat(100))))
                .post("/api/runs").then().statusCode(503).body("error", containsString("is the disk full"));

        Files.delete(filler);
        Await.until("runs to be taken again (201) once there is space, with no restart", Duration.ofSeconds(10),
                () -> given().contentType("application/json")
                        .body(Map.of("kind", "reconstruction", "model", "gpt2-tiny", "params", Map.of("prompt", "after", "steps", 1)))
                        .post("/api/runs").then().extract().statusCode(), status -> status == 201);
        assertEquals("done", given().get("/api/runs/" + kept).then().statusCode(200).extract().path("state"), "nothing stored was lost");
    }
}
