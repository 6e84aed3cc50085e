package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 26 item 7: uploaded images and corpora are held to a count and a byte quota (409 naming the way out), can be
 * deleted through the API and the pages (freeing the quota), and concurrent uploads near a limit never pass it. Its
 * own empty data directory and small quotas: 4 images or 60,000 bytes of them, 3 corpora or 2,000 bytes of them.
 */
@QuarkusTest
@TestProfile(StorageQuotaTest.SmallQuotas.class)
class StorageQuotaTest {
    static final int IMAGES = 4;
    static final int CORPORA = 3;

    public static class SmallQuotas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.data-dir", "./target/quota-test-data-" + UUID.randomUUID(),
                    "lensboard.images.quota-count", String.valueOf(IMAGES), "lensboard.images.quota-bytes", "60000",
                    "lensboard.corpora.quota-count", String.valueOf(CORPORA), "lensboard.corpora.quota-bytes", "2000");
        }
    }

    /** Each test starts from no uploads: it deletes what it stored (through the API under test). */
    @AfterEach
    void deleteEverythingUploaded() {
        for (String id : given().get("/api/images").then().statusCode(200).extract().jsonPath().getList("id", String.class)) {
            given().delete("/api/images/" + id).then().statusCode(204);
        }
        for (Map<String, Object> c : given().get("/api/corpora").then().statusCode(200).extract().jsonPath().<Map<String, Object>>getList("")) {
            if ("uploaded".equals(c.get("source"))) {
                given().delete("/api/corpora/" + c.get("name")).then().statusCode(204);
            }
        }
    }

    /** A PNG of {@code side}² pixels of seeded noise: distinct per seed, and about 3·side² bytes (noise does not compress). */
    private static byte[] png(long seed, int side) throws Exception {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static Response upload(byte[] png) {
        return given().contentType("image/png").body(png).post("/api/images");
    }

    private static String uploaded(byte[] png) {
        return upload(png).then().statusCode(201).extract().path("id");
    }

    @Test
    void theImageAfterTheCountQuotaIsRefusedWithTheWayOutAndADeleteMakesRoom() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            ids.add(uploaded(png(i, 8)));
        }
        upload(png(99, 8)).then().statusCode(409)
                .body("error", containsString("4 images are stored, the most the quota allows (4)"))
                .body("error", containsString("delete some images at /images"))
                .body("error", containsString("LENSBOARD_IMAGE_QUOTA_COUNT"));
        upload(png(0, 8)).then().statusCode(201); // an image stored already costs nothing
        given().delete("/api/images/" + ids.get(0)).then().statusCode(204);
        given().get("/api/images/" + ids.get(0)).then().statusCode(404);
        given().delete("/api/images/" + ids.get(0)).then().statusCode(404).body("error", containsString("no image"));
        assertEquals(IMAGES - 1, given().get("/api/images").jsonPath().getList("id").size());
        uploaded(png(99, 8));
    }

    @Test
    void theImageThatWouldPassTheByteQuotaIsRefusedAndBuiltInOnesCannotBeDeleted() throws Exception {
        byte[] first = png(1, 100); // ~30 KB each: one fits under 60,000 bytes, two do not
        byte[] second = png(2, 100);
        assertTrue(first.length > 30000 && first.length + second.length > 60000, first.length + " bytes");
        String id = uploaded(first);
        upload(second).then().statusCode(409)
                .body("error", containsString("over the quota of 60000 bytes"))
                .body("error", containsString("LENSBOARD_IMAGE_QUOTA_BYTES"));
        given().delete("/api/images/" + id).then().statusCode(204);
        uploaded(second);
        given().delete("/api/images/builtin:shapes").then().statusCode(409).body("error", containsString("built in"));
        given().get("/api/images/builtin:shapes").then().statusCode(200);
        given().delete("/api/images/..%2F..%2Fetc").then().statusCode(404);
    }

    /** 16 distinct images at once against a quota of 4: exactly 4 are stored and acknowledged, the rest hear 409. */
    @Test
    void concurrentImageUploadsNearTheLimitNeverPassIt() throws Exception {
        List<byte[]> pngs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            pngs.add(png(100 + i, 8));
        }
        List<Response> answers = all(pngs.stream().<Callable<Response>>map(p -> () -> upload(p)).toList());
        List<String> created = new ArrayList<>();
        for (Response r : answers) {
            if (r.statusCode() == 201) {
                created.add(r.jsonPath().getString("id"));
            } else {
                assertEquals(409, r.statusCode(), r.asString());
                assertTrue(r.jsonPath().getString("error").contains("quota"), r.asString());
            }
        }
        assertEquals(IMAGES, created.size(), "acknowledged: " + created);
        List<String> stored = given().get("/api/images").jsonPath().getList("id", String.class);
        assertEquals(created.stream().sorted().toList(), stored.stream().sorted().toList(), "stored are the acknowledged ones");
    }

    /** Runs all at once (released together) and returns their answers in order. */
    private static <T> List<T> all(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theImagesPageListsUploadsAndItsDeleteButtonDeletes() throws Exception {
        String id = uploaded(png(7, 8));
        given().accept("text/html").get("/images").then().statusCode(200)
                .body(containsString("href=\"/images/" + id + "\""))
                .body(containsString("action=\"/images/" + id + "/delete\""))
                .body(containsString("1 of at most 4 images"));
        given().accept("text/html").get("/images/" + id).then().statusCode(200)
                .body(containsString("action=\"/images/" + id + "/delete\""));
        given().accept("text/html").get("/images/builtin:shapes").then().statusCode(200)
                .body(not(containsString("/delete\"")));
        // deleting is a change like uploading: another site's page may not do it (the token, when set, is needed too)
        given().accept("text/html").header("Origin", "http://evil.example").post("/images/" + id + "/delete").then().statusCode(403);
        given().header("Origin", "http://evil.example").delete("/api/images/" + id).then().statusCode(403);
        given().get("/api/images/" + id).then().statusCode(200);
        given().accept("text/html").redirects().follow(false).post("/images/" + id + "/delete").then().statusCode(303)
                .header("Location", endsWith("/images"));
        given().accept("text/html").get("/images").then().statusCode(200)
                .body(not(containsString("href=\"/images/" + id + "\""))).body(containsString("0 of at most 4 images"));
        given().get("/api/images/" + id).then().statusCode(404);
        given().accept("text/html").redirects().follow(false).post("/images/" + id + "/delete").then().statusCode(404)
                .body(containsString("no image"));
    }

    /** A run's stored result outlives its image; a new run naming the image is refused, naming it. */
    @Test
    void runsOfADeletedImageKeepTheirResultsAndARerunIsRefused() throws Exception {
        String id = uploaded(png(8, 32));
        Map<String, Object> params = Map.of("layer", 1, "feature", "[:, :, 5]", "optimizer", "gd", "lr", 1, "steps", 1,
                "start", "image:" + id);
        String run = RunsApi.start("image-ascent", "vit-tiny", params);
        JsonPath done = RunsApi.finished(run);
        assertEquals("done", done.getString("state"), done.prettify());
        given().delete("/api/images/" + id).then().statusCode(204);
        JsonPath after = RunsApi.run(run);
        assertEquals("done", after.getString("state"));
        assertEquals(done.getList("result.values"), after.getList("result.values"), "the stored result is kept");
        given().accept("text/html").get("/runs/" + run).then().statusCode(200);
        given().contentType("application/json").body(Map.of("kind", "image-ascent", "model", "vit-tiny", "params", params))
                .post("/api/runs").then().statusCode(400).body("error", containsString("no image '" + id + "'"));
    }

    private static Response uploadCorpus(String name, String text) {
        return given().contentType("text/plain; charset=utf-8").queryParam("name", name).body(text).post("/api/corpora");
    }

    @Test
    void theCorpusAfterTheQuotaIsRefusedAndADeleteMakesRoom() {
        for (int i = 0; i < CORPORA; i++) {
            uploadCorpus("q" + i, "Once upon a time.\n").then().statusCode(201);
        }
        uploadCorpus("q9", "One more.\n").then().statusCode(409)
                .body("error", containsString("3 uploaded corpora are stored, the most the quota allows (3)"))
                .body("error", containsString("delete some uploaded corpora at /corpora"))
                .body("error", containsString("LENSBOARD_CORPUS_QUOTA_COUNT"));
        given().delete("/api/corpora/q0").then().statusCode(204);
        given().delete("/api/corpora/q0").then().statusCode(404).body("error", containsString("no corpus 'q0'"));
        given().get("/api/corpora").then().body("name", not(org.hamcrest.Matchers.hasItem("q0")));
        uploadCorpus("q9", "One more.\n").then().statusCode(201);
        given().delete("/api/corpora/tinystories-sampled").then().statusCode(409).body("error", containsString("built in"));
        given().delete("/api/corpora/..%2Fcorpora%2Fq1").then().statusCode(404);
    }

    @Test
    void theCorpusThatWouldPassTheByteQuotaIsRefused() {
        uploadCorpus("big", "x".repeat(1500) + "\n").then().statusCode(201);
        uploadCorpus("more", "y".repeat(600) + "\n").then().statusCode(409)
                .body("error", containsString("over the quota of 2000 bytes"))
                .body("error", containsString("LENSBOARD_CORPUS_QUOTA_BYTES"));
        given().delete("/api/corpora/big").then().statusCode(204);
        uploadCorpus("more", "y".repeat(600) + "\n").then().statusCode(201);
    }

    /** 12 corpora under distinct names at once against a quota of 3: exactly 3 are stored and acknowledged. */
    @Test
    void concurrentCorpusUploadsNearTheLimitNeverPassIt() throws Exception {
        List<Callable<Response>> uploads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = "race" + i;
            uploads.add(() -> uploadCorpus(name, "Text " + name + ".\n"));
        }
        List<String> created = new ArrayList<>();
        for (Response r : all(uploads)) {
            if (r.statusCode() == 201) {
                created.add(r.jsonPath().getString("name"));
            } else {
                assertEquals(409, r.statusCode(), r.asString());
            }
        }
        assertEquals(CORPORA, created.size(), "acknowledged: " + created);
        List<String> stored = given().get("/api/corpora").jsonPath().getList("findAll { it.source == 'uploaded' }.name", String.class);
        assertEquals(created.stream().sorted().toList(), stored.stream().sorted().toList());
    }

    @Test
    void theCorporaPagesDeleteButtonDeletesAnUploadAndARunNamingItIsRefused() {
        uploadCorpus("paged", "Once upon a time.\n").then().statusCode(201);
        given().accept("text/html").get("/corpora").then().statusCode(200)
                .body(containsString("action=\"/corpora/paged/delete\""))
                .body(not(containsString("action=\"/corpora/tinystories-sampled/delete\"")))
                .body(containsString("1 of at most 3 corpora"));
        given().accept("text/html").redirects().follow(false).post("/corpora/paged/delete").then().statusCode(303)
                .header("Location", endsWith("/corpora"));
        given().accept("text/html").get("/corpora").then().statusCode(200).body(not(containsString("<code>paged</code>")));
        given().accept("text/html").post("/corpora/tinystories-sampled/delete").then().statusCode(409)
                .body(containsString("built in"));
        given().contentType("application/json").body(Map.of("kind", "tuned-lens", "model", "gpt2-tiny",
                "params", Map.of("corpus", "paged"))).post("/api/runs").then().statusCode(400)
                .body("error", containsString("no corpus 'paged'"));
    }
}
