package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Run kind "patching" through the API: the result fields, a step event per cell, the CSV, the page. */
@QuarkusTest
class PatchingRunsApiTest {
    private static final Map<String, Object> CAT_DOG = Map.of("clean", "The cat was happy. The cat", "corrupted", "The dog was happy. The dog",
            "answer", " was", "wrong", " is");

    @Test
    void patchesEachHeadOfTheChosenBlocksAsTheIndependentGoldenSays() throws Exception {
        Fixtures.root();
        Map<String, Object> params = new java.util.HashMap<>(CAT_DOG);
        params.put("site", "head");
        params.put("layers", "2,0");
        String id = RunsApi.start("patching", "gpt2-tiny", params);
        JsonPath run = RunsApi.done(id);
        assertEquals("0,2", run.getString("params.layers"), "layers are stored sorted");
        assertEquals("head", run.getString("result.site"));
        assertEquals(List.of(0, 2), run.getList("result.layers"));
        assertEquals(List.of(0, 1, 2, 3), run.getList("result.heads"));
        assertNull(run.get("result.positions"), "a head grid has heads, not positions");
        JsonNode golden = new ObjectMapper().readTree(getClass().getResource("/golden-patching/gpt2-tiny.json"));
        assertEquals(golden.get("clean_metric").asDouble(), run.getDouble("result.clean_metric"), 1e-4);
        double mc = golden.get("corrupted_metric").asDouble();
        double span = golden.get("clean_metric").asDouble() - mc;
        List<Integer> layers = List.of(0, 2);
        for (int i = 0; i < 2; i++) {
            for (int h = 0; h < 4; h++) {
                double expected = golden.get("grids").get("head").get(layers.get(i)).get(h).asDouble();
                assertEquals(expected, run.getDouble("result.grid[" + i + "][" + h + "]"), 1e-4);
                assertEquals((expected - mc) / span, run.getDouble("result.normalized[" + i + "][" + h + "]"), 1e-3);
            }
        }
        assertEquals(8, RunsApi.events(id, null).stream().filter(e -> e.endsWith(":step")).count(), "a step event per cell");
        String csv = given().get("/api/runs/" + id + "/trajectory.csv").then().statusCode(200).extract().asString();
        String[] lines = csv.split("\n");
        assertEquals(9, lines.length, csv);
        assertTrue(lines[0].startsWith("layer,head,metric,normalized"), lines[0]);
        given().accept("text/html").get("/runs/" + id).then().statusCode(200)
                .body(containsString("class=\"patching-grid\"")).body(containsString("head 3"));
    }

    @Test
    void positionGridsMarkWhereThePromptsDiffer() {
        Fixtures.root();
        Map<String, Object> params = new java.util.HashMap<>(CAT_DOG);
        params.put("site", "resid_pre");
        params.put("layers", "0");
        String id = RunsApi.start("patching", "gpt2-tiny", params);
        JsonPath run = RunsApi.done(id);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), run.getList("result.positions"));
        List<Float> row = run.getList("result.normalized[0]", Float.class);
        for (int p : new int[] {0, 2, 3, 4, 5}) {
            assertEquals(0f, row.get(p), 0f, "position " + p + " agrees in both prompts");
        }
        given().accept("text/html").get("/runs/" + id).then().statusCode(200)
                .body(containsString("<th class=\"differs\">·cat</th>")).body(containsString("<th class=\"differs\">·dog</th>"));
    }

    @Test
    void promptsWithTheSameMetricFailSayingSo() {
        Fixtures.root();
        String id = RunsApi.start("patching", "gpt2-tiny", Map.of("clean", "The cat", "corrupted", "The cat", "answer", " was", "wrong", " is"));
        JsonPath run = RunsApi.finished(id);
        assertEquals("failed", run.getString("state"));
        assertTrue(run.getString("error").contains("the prompts give the same metric"), run.prettify());
    }
}
