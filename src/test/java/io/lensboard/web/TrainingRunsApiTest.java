package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.model.checkpoint.TorchSave;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The training kinds through POST /api/runs on stories260K (the fixture "hf") and the built-in corpus. */
@QuarkusTest
class TrainingRunsApiTest {

    private static double mean(List<Float> values) {
        return values.stream().mapToDouble(Float::doubleValue).average().orElseThrow();
    }

    @Test
    void tunedLensRunLowersHeldOutKlBelowTheLogitLensAndSavesTheLens() throws Exception {
        Fixtures.dir("stories260K/hf");
        String id = RunsApi.start("tuned-lens", "hf", Map.of("steps", 30, "tokens", 256, "context", 64));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals("tinystories-sampled", run.getString("params.corpus"), "the built-in corpus when none is named");
        List<Float> logit = run.getList("result.kl_logit", Float.class);
        List<Float> tuned = run.getList("result.kl_tuned", Float.class);
        assertEquals(6, logit.size(), "layers 0 … 5");
        assertEquals(0, tuned.get(5), 1e-9, "the last layer is the model's output");
        assertTrue(mean(tuned) < 0.8 * mean(logit), "held-out mean KL: tuned " + tuned + " against logit " + logit);

        Path lens = Path.of("target/test-data/lenses", run.getString("result.lens"));
        JsonNode config = new ObjectMapper().readTree(lens.resolve("config.json").toFile());
        assertEquals(64, config.get("d_model").asInt());
        assertEquals(5, config.get("num_hidden_layers").asInt());
        assertEquals("hf", config.get("base_model_name_or_path").asText());
        Map<String, TorchSave.Tensor> params = TorchSave.read(lens.resolve("params.pt"));
        assertEquals(10, params.size(), "a weight and a bias per layer 0 … 4: " + params.keySet());
        for (int l = 0; l < 5; l++) {
            assertEquals("[64, 64]", java.util.Arrays.toString(params.get(l + ".weight").shape()));
            assertEquals("[64]", java.util.Arrays.toString(params.get(l + ".bias").shape()));
        }
        String decoder = "tuned:" + run.getString("result.lens");
        given().queryParam("model", "hf").queryParam("prompt", "Once upon a time").queryParam("decoder", decoder)
                .get("/api/lens").then().statusCode(200).body("decoder", equalTo(decoder));
        List<String> types = RunsApi.eventTypes(id);
        assertEquals(30, types.stream().filter("step"::equals).count(), types.toString());
        given().get("/runs/" + id).then().statusCode(200).body(containsString(run.getString("result.lens")));
    }

    @Test
    void probeRunRecoversTheInputTokenFromTheEmbeddings() throws InterruptedException {
        Fixtures.dir("stories260K/hf");
        String id = RunsApi.start("probe", "hf", Map.of("layers", "0,3,5", "sub", true, "epochs", 8, "tokens", 4096));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals(Set.of("accuracy", "accuracy_top5", "cosine_to_embedding", "cosine_baseline", "pca_mass"),
                run.getMap("result").keySet(), "the result's fields, exactly");
        List<Float> accuracy = run.getList("result.accuracy", Float.class);
        assertEquals(5, accuracy.size(), "rows 0, 2.5, 3, 4.5, 5");
        assertTrue(accuracy.get(0) > 0.95, "layer 0 (the embeddings) gives back the input token: " + accuracy);
        assertTrue(run.getList("result.accuracy_top5", Float.class).get(0) >= accuracy.get(0));
        assertTrue(run.getFloat("result.cosine_to_embedding[0]") > run.getFloat("result.cosine_baseline[0]"), run.prettify());
        assertEquals(64, run.getList("result.pca_mass[0]").size(), "one share per principal component");
        String page = given().get("/runs/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("blocks.2.hook_resid_mid"), "the rows are named by their hooks");
    }

    @Test
    void oneSharedProbeIsScoredOnEveryLayer() throws InterruptedException {
        Fixtures.dir("stories260K/hf");
        String id = RunsApi.start("probe", "hf", Map.of("layers", "0-1", "shared", true, "epochs", 3, "tokens", 2048));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals(2, run.getList("result.accuracy").size());
        assertEquals(run.getFloat("result.cosine_to_embedding[0]"), run.getFloat("result.cosine_to_embedding[1]"), 0f,
                "one probe: the same weights for both layers");
    }

    @Test
    void sizesAndLayersAreCheckedBeforeTheRunIsQueued() {
        Fixtures.dir("stories260K/hf");
        given().contentType("application/json").body(Map.of("kind", "probe", "model", "hf", "params", Map.of("layers", "0,9")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("'9' is outside 0…5"));
        given().contentType("application/json").body(Map.of("kind", "probe", "model", "hf", "params", Map.of("layers", "3-1")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("as 1-3"));
        given().contentType("application/json").body(Map.of("kind", "probe", "model", "hf", "params", Map.of("layers", "two")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("'two' is not a layer"));
        given().contentType("application/json").body(Map.of("kind", "tuned-lens", "model", "hf", "params", Map.of("context", 1024)))
                .post("/api/runs").then().statusCode(400).body("error", containsString("params.context must be between 2 and 512"));
        given().contentType("application/json").body(Map.of("kind", "tuned-lens", "model", "gpt2-tiny", "params", Map.of("tokens", 100000)))
                .post("/api/runs").then().statusCode(400).body("error", containsString("use at most 2670 tokens"));
        given().contentType("application/json").body(Map.of("kind", "tuned-lens", "model", "hf", "params", Map.of("optimizer", "lbfgs")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("optimizer"));
    }
}
