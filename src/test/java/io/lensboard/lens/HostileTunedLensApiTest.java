package io.lensboard.lens;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.model.checkpoint.PickleOps;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * A hostile params.pt in the trained lenses' directory (issue 26, item 4): the lens API answers it with a JSON 422
 * naming the problem, within seconds, while another client's tuned lens and a plain lens are answered as usual.
 */
@QuarkusTest
class HostileTunedLensApiTest {
    private static final String PROMPT = "The sky is blue";

    @Inject
    TunedLenses lenses;

    @Test
    void answersAHostileLensWith422WhileOthersAreServed() throws Exception {
        Fixtures.root();
        Path dir = lenses.trainedDir().resolve("hostile-dag-key");
        try {
            writeTupleDagKeyLens(dir, 40);
            given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).get("/api/lens").then().statusCode(200); // warm
            CompletableFuture<Integer> legit = CompletableFuture.supplyAsync(() -> given().queryParam("model", "gpt2-tiny")
                    .queryParam("prompt", PROMPT).queryParam("decoder", "tuned:gpt2-tiny").get("/api/lens").statusCode());
            long t0 = System.nanoTime();
            given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:hostile-dag-key")
                    .get("/api/lens").then().statusCode(422).body("status", equalTo(422))
                    .body("error", containsString("refusing the pickle: its lists, tuples and dicts nest more than 32 deep"));
            System.out.println("the lens API refused a hostile tuned lens in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:hostile-dag-key")
                    .get("/api/lens/stream").then().statusCode(422).body("error", containsString("nest more than 32 deep"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("the lens API and its stream refused a hostile tuned lens in " + ms + " ms");
            // before, the first request never answered (hashing a 2^40-path key) and held every tuned lens; a hundred
            // milliseconds each on an idle machine, the bound is loose for a shared, loaded one
            assertTrue(ms < 15_000, "refused in " + ms + " ms");
            assertTrue(legit.get().equals(200), "the legitimate tuned lens is served");
            given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).get("/api/lens").then().statusCode(200);
        } finally {
            delete(dir);
        }
    }

    /** A lens whose params.pt is {t_n: None} with t_0 = () and t_k = (t_{k-1}, t_{k-1}): 2^n paths in a few hundred bytes. */
    private static void writeTupleDagKeyLens(Path dir, int depth) throws IOException {
        Files.createDirectories(dir);
        PickleOps p = new PickleOps().proto(2).emptyDict().emptyTuple().binput(0);
        for (int k = 1; k <= depth; k++) {
            p.binget(k - 1).tuple2().binput(k);
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(dir.resolve("params.pt")))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(p.none().setItem().stop().bytes());
            zip.closeEntry();
        }
        Files.writeString(dir.resolve("config.json"), "{\"d_model\": 64, \"num_hidden_layers\": 4, \"bias\": true}");
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
