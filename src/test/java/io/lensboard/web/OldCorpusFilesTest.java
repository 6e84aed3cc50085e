package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Uploads that a version before V13 kept as files in the data directory's corpora/ are moved into the database at
 * start: listed as uploaded with their size, counted and deletable like any upload, the file gone.
 */
@QuarkusTest
@TestProfile(OldCorpusFilesTest.DataDirWithOldUploads.class)
class OldCorpusFilesTest {
    static final Path DATA = Path.of("./target/old-corpora-data-" + UUID.randomUUID()); // H2 wants ./ before a relative path
    static final String TEXT = "Once upon a time, an old upload.\n";

    public static class DataDirWithOldUploads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(DATA.resolve("corpora"));
                Files.writeString(DATA.resolve("corpora/old-stories.txt"), TEXT, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("lensboard.data-dir", DATA.toString());
        }
    }

    @Test
    void oldUploadFilesAreMovedIntoTheDatabaseAtStart() {
        given().get("/api/corpora").then().statusCode(200)
                .body("find { it.name == 'old-stories' }.source", equalTo("uploaded"))
                .body("find { it.name == 'old-stories' }.bytes", equalTo(TEXT.length()));
        assertFalse(Files.exists(DATA.resolve("corpora/old-stories.txt")), "the file is moved, not copied");
        given().accept("text/html").get("/corpora").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("Uploaded: 1 of at most"));
        given().delete("/api/corpora/old-stories").then().statusCode(204);
        assertTrue(given().get("/api/corpora").jsonPath().getList("name", String.class).stream().noneMatch("old-stories"::equals));
    }
}
