package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Corpora: the built-in one, uploads (raw body, multipart, the page's form), names kept inside their root, limits. */
@QuarkusTest
class CorporaApiTest {

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void listsTheBuiltInCorpusFirst() {
        given().get("/api/corpora").then().statusCode(200)
                .body("[0].name", equalTo("tinystories-sampled")).body("[0].source", equalTo("built-in"));
    }

    @Test
    void uploadsARawTextBodyAndListsIt() {
        String name = unique("raw");
        given().contentType("text/plain; charset=utf-8").queryParam("name", name).body("Once upon a time, a cat sat.\n")
                .post("/api/corpora").then().statusCode(201).body("name", equalTo(name)).body("source", equalTo("uploaded"))
                .body("bytes", equalTo(29));
        given().get("/api/corpora").then().statusCode(200).body("name", hasItem(name));
        // a name taken is a conflict (409, issue 26 item 8; it was a 400 before uploads were made race-free)
        given().contentType("text/plain").queryParam("name", name).body("again").post("/api/corpora").then().statusCode(409)
                .body("error", containsString("exists"));
    }

    /** 40 uploads under one name at once: one is stored and acknowledged (201), the others hear 409; none is lost. */
    @Test
    void concurrentUploadsUnderOneNameKeepExactlyTheAcknowledgedOne() throws Exception {
        String name = unique("race");
        int uploads = 40;
        ExecutorService pool = Executors.newFixedThreadPool(uploads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                String text = "x".repeat(i + 1) + "\n"; // its length tells which upload was kept
                answers.add(pool.submit(() -> {
                    start.await();
                    return given().contentType("text/plain").queryParam("name", name).body(text).post("/api/corpora");
                }));
            }
            start.countDown();
            List<Integer> created = new ArrayList<>();
            int conflicts = 0;
            for (Future<Response> answer : answers) {
                Response r = answer.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 201) {
                    created.add(r.jsonPath().getInt("bytes"));
                } else {
                    assertEquals(409, r.statusCode(), r.asString());
                    assertTrue(r.jsonPath().getString("error").contains("exists"), r.asString());
                    conflicts++;
                }
            }
            assertEquals(1, created.size(), "uploads acknowledged with 201: " + created);
            assertEquals(uploads - 1, conflicts);
            List<Integer> stored = given().get("/api/corpora").then().statusCode(200).extract().jsonPath()
                    .getList("findAll { it.name == '" + name + "' }.bytes", Integer.class);
            assertEquals(created, stored, "the corpus kept is not the one acknowledged");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void namesThatClimbOutOfTheirRootAreMadeSafe() {
        String tail = unique("passwd");
        given().contentType("text/plain").queryParam("name", "../../etc/" + tail).body("text").post("/api/corpora").then().statusCode(201)
                .body("name", equalTo("etc-" + tail));
        given().contentType("text/plain").queryParam("name", "../..").body("text").post("/api/corpora").then().statusCode(400)
                .body("error", containsString("name the corpus"));
    }

    @Test
    void refusesTextThatIsEmptyOrNotUtf8() {
        given().contentType("text/plain").queryParam("name", unique("empty")).body(new byte[0]).post("/api/corpora").then().statusCode(400)
                .body("error", containsString("empty"));
        given().contentType("text/plain").queryParam("name", unique("latin1")).body("café".getBytes(StandardCharsets.ISO_8859_1))
                .post("/api/corpora").then().statusCode(400).body("error", containsString("not UTF-8"));
    }

    @Test
    void uploadsThroughThePageForm() {
        String name = unique("form");
        given().multiPart("name", name).multiPart("file", "stories.txt", "Tom had a red ball.\n".getBytes(StandardCharsets.UTF_8), "text/plain")
                .redirects().follow(false).post("/corpora").then().statusCode(303);
        given().get("/corpora").then().statusCode(200).body(containsString(name)).body(containsString("tinystories-sampled"));
        String tail = unique("x");
        given().multiPart("file", "../evil name " + tail + ".txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain").post("/api/corpora")
                .then().statusCode(201).body("name", equalTo("evil-name-" + tail));
    }

    @Test
    void aRunOnAnUnknownCorpusIsRefusedWithTheKnownOnes() {
        Fixtures.dir("stories260K/hf");
        for (String kind : new String[] {"tuned-lens", "probe"}) {
            given().contentType("application/json").body(Map.of("kind", kind, "model", "hf", "params", Map.of("corpus", "no-such-corpus")))
                    .post("/api/runs").then().statusCode(400).body("error", containsString("no corpus 'no-such-corpus'"))
                    .body("error", containsString("tinystories-sampled"));
        }
    }
}
