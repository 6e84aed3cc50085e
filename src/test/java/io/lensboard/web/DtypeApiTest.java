package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.Await;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** dtype wherever a model is named: the pool's (model, dtype) entries, their status and bytes, the lens's answers. */
@QuarkusTest
class DtypeApiTest {
    private static final String ALLOWED = "float32, bfloat16, float16";

    /** Loads gpt2-tiny in {@code dtype} and waits for it; returns its status. */
    private static JsonPath loaded(String dtype) throws InterruptedException {
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", dtype).post("/api/models/load").then().statusCode(202)
                .body("dtype", equalTo(dtype));
        return Await.until("gpt2-tiny in " + dtype + " to load", Duration.ofMinutes(1),
                () -> given().queryParam("model", "gpt2-tiny").queryParam("dtype", dtype).get("/api/models/status")
                        .then().statusCode(200).extract().jsonPath(),
                status -> status.getString("state").equals("loaded"));
    }

    @Test
    void aModelInTwoDtypesIsTwoPoolEntriesEachWithItsBytes() throws InterruptedException {
        Fixtures.root();
        JsonPath f32 = loaded("float32");
        JsonPath bf16 = loaded("bfloat16");
        assertEquals("float32", f32.getString("dtype"));
        assertEquals("bfloat16", bf16.getString("dtype"));
        long full = f32.getLong("bytes");
        long half = bf16.getLong("bytes");
        // gpt2-tiny: 3,424,704 parameters of which 3,456 are norm gains and biases, held in float32 in every dtype
        assertEquals(4L * 3_424_704, full, "float32: 4 bytes a parameter");
        assertEquals(2L * (3_424_704 - 3_456) + 4L * 3_456, half, "bfloat16 matrices, float32 vectors");
        List<String> rows = given().get("/api/models").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.id == 'gpt2-tiny' && it.state == 'loaded' }.dtype");
        assertTrue(rows.containsAll(List.of("float32", "bfloat16")), "the catalog lists both warm entries: " + rows);
        given().get("/fragments/models").then().statusCode(200)
                .body(allOf(containsString("<td>bfloat16</td>"), containsString("MB</td>")));
    }

    @Test
    void lensAnswersNameTheirDtype() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "The sky is").get("/api/lens").then().statusCode(200)
                .body("dtype", equalTo("float32"));
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "bfloat16").queryParam("prompt", "The sky is")
                .get("/api/lens").then().statusCode(200).body("dtype", equalTo("bfloat16")).body("model", equalTo("gpt2-tiny"));
        String stream = given().queryParam("model", "llama-tiny").queryParam("dtype", "float16").queryParam("prompt", "The sky is")
                .get("/api/lens/stream").then().statusCode(200).extract().asString();
        int tokens = stream.indexOf("\"dtype\":\"float16\"");
        assertTrue(tokens >= 0 && tokens < stream.indexOf("\"layer\":0"), "the tokens event, first, names the dtype: "
                + stream.substring(0, Math.min(300, stream.length())));
        String csv = given().queryParam("model", "gpt2-tiny").queryParam("dtype", "bfloat16").queryParam("prompt", "The sky is")
                .get("/api/lens/csv").then().statusCode(200).extract().asString();
        assertTrue(csv.startsWith("layer,hook,position"), "the header stays first");
        assertTrue(csv.endsWith("# model: gpt2-tiny\n# dtype: bfloat16\n"), csv.substring(Math.max(0, csv.length() - 100)));
    }

    @Test
    void aRunKeepsItsDtype() throws InterruptedException {
        Fixtures.root();
        String id = RunsApi.submit(Map.of("kind", "exhaustive", "model", "llama-tiny", "dtype", "bfloat16",
                "params", Map.of("layer", 1, "feature", "[:, :, 3]", "topk", 3)));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals("bfloat16", run.getString("dtype"));
        assertEquals(3, run.getList("result.top").size());
        given().queryParam("model", "llama-tiny").queryParam("dtype", "bfloat16").get("/api/models/status").then()
                .body("state", equalTo("loaded"));
        given().contentType("application/json").body("{\"kind\":\"exhaustive\",\"model\":\"llama-tiny\",\"dtype\":\"int8\","
                + "\"params\":{\"layer\":1,\"feature\":\"[:, :, 3]\"}}").post("/api/runs")
                .then().statusCode(400).body("error", containsString(ALLOWED));
    }

    @Test
    void aLensPageInAnotherDtypeKeepsItInEveryLink() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "bfloat16").queryParam("prompt", "The sky is")
                .get("/lens").then().statusCode(200)
                .body(allOf(containsString("/lens/rows?model=gpt2-tiny&amp;dtype=bfloat16"),
                        containsString("/api/lens/csv?model=gpt2-tiny&amp;dtype=bfloat16"),
                        containsString("name=\"dtype\" value=\"bfloat16\"")));
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "bfloat16").queryParam("prompt", "The sky is")
                .get("/api/lens").then().statusCode(200);
        given().accept("text/html").get("/").then().statusCode(200) // recent analyses: a stored link cannot hold the dtype
                .body(containsString("href=\"/lens?model=gpt2-tiny&amp;dtype=bfloat16&amp;prompt=The%20sky%20is"),
                        containsString("gpt2-tiny (bfloat16): <q>The sky is</q>"));
    }

    @Test
    void anUnknownDtypeIsA400NamingTheAllowedOnes() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "int4").queryParam("prompt", "hi").get("/api/lens")
                .then().statusCode(400).body("error", containsString(ALLOWED)).body("error", containsString("int4"));
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "fp8").get("/api/models/status")
                .then().statusCode(400).body("error", containsString(ALLOWED));
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "half").post("/api/models/load")
                .then().statusCode(400).body("error", containsString(ALLOWED));
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "bf16").queryParam("prompt", "hi").get("/api/lens/stream")
                .then().statusCode(400).body("error", containsString(ALLOWED));
    }
}
