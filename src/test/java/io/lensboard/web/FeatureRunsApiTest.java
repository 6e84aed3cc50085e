package io.lensboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.web.common.TokenDisplay;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The feature-visualisation run kinds through POST /api/runs, and alignment tables, on the fixtures. */
@QuarkusTest
class FeatureRunsApiTest {
    private static final Set<String> FINISHED = Set.of("done", "failed", "cancelled");

    static String start(String kind, String model, Map<String, Object> params) {
        return given().contentType("application/json").body(Map.of("kind", kind, "model", model, "params", params))
                .post("/api/runs").then().statusCode(201).extract().path("id");
    }

    private static JsonNode golden() {
        return Fixtures.json(Fixtures.dir("gpt2-tiny").resolve("golden/searches.json"));
    }

    private static List<Long> ids(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asLong).toList();
    }

    private static List<Long> longs(List<Object> values) {
        return values.stream().map(v -> ((Number) v).longValue()).toList();
    }

    @Test
    void exhaustiveRunReturnsTheGoldenTopTokens() throws InterruptedException {
        JsonNode g = golden().get("exhaustive").get(0);
        String id = start("exhaustive", "gpt2-tiny", Map.of("layer", g.get("layer").asInt(), "feature", "[:, :, " + g.get("feature").asInt() + "]", "topk", 5));
        JsonPath run = RunsApiTest.await(id, FINISHED);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals(ids(g.get("top5_ids")), longs(run.getList("result.top.id")));
        assertEquals(g.get("top5_values").get(0).asDouble(), run.getDouble("result.top[0].value"), 1e-4);
        assertEquals(5, run.getList("result.top.text").size());
        List<String> types = RunsApiTest.events(id, null).stream().map(e -> e.split(":")[1]).toList();
        assertEquals(25, types.stream().filter("batch"::equals).count(), "one batch event per 2048 tokens of 50257: " + types);
    }

    @Test
    void greedyRunReturnsTheGoldenTokensAndText() throws InterruptedException {
        JsonNode g = golden().get("greedy").get(0);
        String id = start("greedy", "gpt2-tiny", Map.of("layer", g.get("layer").asInt(), "feature", "[:, :, " + g.get("feature").asInt() + "]",
                "tokens", g.get("n_tokens").asInt(), "batch", 8192));
        JsonPath run = RunsApiTest.await(id, FINISHED);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals(ids(g.get("ids")), longs(run.getList("result.ids")));
        assertEquals(String.join("", run.<String>getList("result.tokens")), run.getString("result.text"));
        List<String> types = RunsApiTest.events(id, null).stream().map(e -> e.split(":")[1]).toList();
        assertEquals(4, types.stream().filter("token"::equals).count(), types.toString());
        given().get("/runs/" + id).then().statusCode(200).body(containsString("blocks.0.hook_resid_post"));
        given().get("/runs/" + id + "/result").then().statusCode(200).body(containsString("feature after it"));
    }

    @Test
    void ascentAndSoftmaxPriorFinishWithTokensOfTheVocabulary() throws InterruptedException {
        for (String kind : List.of("ascent", "softmax-prior")) {
            String id = start(kind, "llama-tiny", Map.of("layer", 2, "feature", "[:, 0-1, 3-4]", "tokens", 3, "steps", 15, "decode_every", 5));
            JsonPath run = RunsApiTest.await(id, FINISHED);
            assertEquals("done", run.getString("state"), kind + ": " + run.prettify());
            List<Long> decoded = longs(run.getList("result.ids"));
            assertEquals(3, decoded.size());
            assertTrue(decoded.stream().allMatch(t -> t >= 0 && t < 50257), decoded.toString());
            assertEquals("[:, 0-1, 3-4]", run.getString("params.feature"));
            assertTrue(Double.isFinite(run.getDouble("result.decoded_value")));
            List<String> types = RunsApiTest.events(id, null).stream().map(e -> e.split(":")[1]).toList();
            assertEquals(15, types.stream().filter("step"::equals).count(), types.toString());
            String stream = given().get("/api/runs/" + id + "/events").then().extract().asString();
            assertTrue(stream.contains("\"topk_tokens\":[["), "decoding steps carry the top-k per position");
        }
    }

    @Test
    void badFeaturesAndLayersAreRefusedWithTheirReason() {
        Fixtures.root();
        given().contentType("application/json").body(Map.of("kind", "exhaustive", "model", "gpt2-tiny", "params", Map.of("layer", 2, "feature", "[:, :, 17x]")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("'17x' is not understood"));
        given().contentType("application/json").body(Map.of("kind", "greedy", "model", "gpt2-tiny", "params", Map.of("layer", 9, "feature", "[:, :, 1]")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("params.layer must be between 1 and 4"));
        given().contentType("application/json").body(Map.of("kind", "exhaustive", "model", "gpt2-tiny", "params", Map.of("layer", 1, "feature", "[:, :, 64]")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("d_model = 64"));
        given().contentType("application/json").body(Map.of("kind", "exhaustive", "model", "gpt2-tiny", "params", Map.of("layer", 1, "feature", "[:, 1, 3]")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("position 1 is out of range for an input of 1 tokens"));
        given().contentType("application/json").body(Map.of("kind", "greedy", "model", "gpt2-tiny", "params", Map.of("layer", 1, "feature", "[:, 0, 3]")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("write the position part as ':'"));
        given().contentType("application/json").body(Map.of("kind", "alignment", "models", List.of("gpt2-tiny"), "layers", List.of(1), "features", List.of("[:, :, 1]")))
                .post("/api/alignments").then().statusCode(400).body("error", containsString("kind must be one of"));
        given().contentType("application/json").body(Map.of("kind", "greedy", "models", List.of("gpt2-tiny"), "layers", List.of(1, 7), "features", List.of("[:, :, 1]")))
                .post("/api/alignments").then().statusCode(400).body("error", allOf(containsString("greedy on gpt2-tiny"),
                        containsString("\"layer\":7"), containsString("params.layer must be between 1 and 4")));
    }

    @Test
    void alignmentTableFillsInLiveAndMatchesTheGoldenSearches() throws InterruptedException {
        JsonNode g = golden().get("exhaustive");
        String id = given().contentType("application/json").body(Map.of("kind", "exhaustive",
                        "models", List.of("gpt2-tiny", "gpt2-tiny:untrained"), "layers", List.of(1, 4),
                        "features", List.of("[:, :, 0]", "[:, :, 2]"), "params", Map.of("topk", 5)))
                .post("/api/alignments").then().statusCode(201).extract().path("id");
        String stream = given().get("/alignments/" + id + "/cells").then().statusCode(200).extract().asString();
        Matcher events = Pattern.compile("(?m)^event: ?([\\w-]+)").matcher(stream);
        StringBuilder names = new StringBuilder();
        while (events.find()) {
            names.append(events.group(1)).append(' ');
        }
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 2; c++) {
                assertTrue(names.toString().contains("cell-" + r + "-" + c + " "), "an event for cell " + r + "-" + c + ": " + names);
            }
        }
        assertTrue(names.toString().trim().endsWith("done"), names.toString());

        JsonPath table = given().get("/api/alignments/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(4, table.getList("rows").size());
        assertEquals("gpt2-tiny:untrained", table.getString("rows[2].model"));
        assertEquals(4, table.getInt("rows[1].layer"));
        // rows[0] = (gpt2-tiny, block 1), rows[1] = (gpt2-tiny, block 4); golden entries 0..3 are block 1, 4..7 block 4
        assertEquals(ids(g.get(0).get("top5_ids")), longs(table.getList("rows[0].cells[0].result.top.id")));
        assertEquals(ids(g.get(2).get("top5_ids")), longs(table.getList("rows[0].cells[1].result.top.id")));
        assertEquals(ids(g.get(6).get("top5_ids")), longs(table.getList("rows[1].cells[1].result.top.id")));
        String page = given().get("/alignments/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("8 of 8 cells finished"), page);
        assertTrue(page.contains("gpt2-tiny:untrained"));
        assertTrue(page.contains(TokenDisplay.visible(table.getString("rows[0].cells[0].result.top[0].text"))
                .replace("&", "&amp;").replace("<", "&lt;")), "the top token is in its cell");
    }

    @Test
    void cancellingATableMidBatchKeepsItsFinishedCells() throws InterruptedException {
        Fixtures.root();
        String id = given().contentType("application/json").body(Map.of("kind", "exhaustive",
                        "models", List.of("gpt2-tiny"), "layers", List.of(1, 2, 3, 4),
                        "features", List.of("[:, :, 0]", "[:, :, 1]"), "params", Map.of("topk", 3, "batch", 128)))
                .post("/api/alignments").then().statusCode(201).extract().path("id");
        JsonPath table = null;
        for (int i = 0; i < 600; i++) {
            table = given().get("/api/alignments/" + id).then().extract().jsonPath();
            if ("done".equals(table.getString("rows[0].cells[0].state"))) {
                break;
            }
            Thread.sleep(50);
        }
        given().post("/api/alignments/" + id + "/cancel").then().statusCode(200);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 2; c++) {
                RunsApiTest.await(table.getString("rows[" + r + "].cells[" + c + "].run"), FINISHED);
            }
        }
        table = given().get("/api/alignments/" + id).then().statusCode(200).extract().jsonPath();
        List<String> states = table.getList("rows.cells.state.flatten()");
        assertEquals("done", states.get(0), states.toString());
        assertTrue(states.contains("cancelled"), "later cells were cancelled: " + states);
        assertTrue(states.stream().allMatch(s -> s.equals("done") || s.equals("cancelled")), states.toString());
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 2; c++) {
                String state = table.getString("rows[" + r + "].cells[" + c + "].state");
                assertEquals(state.equals("done"), table.getList("rows[" + r + "].cells[" + c + "].result.top") != null,
                        "a finished cell keeps its result, a cancelled one has none: " + r + "-" + c);
            }
        }
        assertEquals(3, table.getList("rows[0].cells[0].result.top").size());
    }
}
