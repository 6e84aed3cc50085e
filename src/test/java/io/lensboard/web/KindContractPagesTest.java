package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a kind offers beyond running, as the pages use it: a walk study summarised in the walk's own columns, "run
 * again" only where the kind is seeded, and refused grid forms that keep what was typed.
 */
@QuarkusTest
class KindContractPagesTest {

    @Test
    void aWalkStudySummarisesDistancesRatioAndOrthogonalityFromItsRuns() throws InterruptedException {
        Fixtures.root();
        String id = given().contentType("application/json").body(Map.of("kind", "orthogonal-walk", "models", List.of("gpt2-tiny"),
                        "blocks", List.of(1, 2), "lm_head", List.of(true), "seeds", List.of(0, 1),
                        "params", Map.of("prompt", "The sky", "steps", 4, "network", "fcnet")))
                .post("/api/studies").then().statusCode(201).extract().jsonPath().getString("id");
        JsonPath s = given().get("/api/studies/" + id).then().statusCode(200).extract().jsonPath();
        for (String run : s.getList("cells.run", String.class)) {
            assertEquals("done", RunsApi.finished(run).getString("state"), "walk run " + run);
        }
        s = given().get("/api/studies/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("d_i", "d_o", "d_o/d_i", "orthogonality"), s.getList("summary.columns"));
        assertEquals(2, s.getList("summary.rows").size(), "one row per (model, blocks, lm_head)");
        for (int r = 0; r < 2; r++) {
            assertEquals(2, s.getInt("summary.rows[" + r + "].done"));
            List<Float> values = s.getList("summary.rows[" + r + "].values", Float.class);
            values.forEach(v -> assertNotNull(v, "every column has a number: " + values));
            // the row's d_i is the median (here the mean of two) of its seeds' final d_i
            double expected = (s.getDouble("cells[" + 2 * r + "].result.d_i") + s.getDouble("cells[" + (2 * r + 1) + "].result.d_i")) / 2;
            assertEquals(expected, values.get(0), 1e-4 * Math.max(1, expected));
            assertTrue(values.get(0) > 0, "the walk moved e: " + values);
            assertFalse(s.getList("summary.rows[" + r + "].shown", String.class).contains("—"));
        }
        String page = given().get("/studies/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<th>d_i</th>") && page.contains("<th>d_o/d_i</th>") && page.contains("<th>orthogonality</th>"), page);
        assertFalse(page.contains("steps to criterion"), "a walk study has no reconstruction columns");
        assertTrue(page.contains("&quot;yTitle&quot;:&quot;d_o/d_i&quot;") || page.contains("\"yTitle\":\"d_o/d_i\""), "the chart draws the ratio");
    }

    @Test
    void runAgainIsOfferedOnlyWhereTheKindIsSeeded() throws InterruptedException {
        Fixtures.root();
        String ascent = given().contentType("application/json").body(Map.of("kind", "ascent", "model", "gpt2-tiny",
                "params", Map.of("layer", 1, "feature", "[:, :, 3]", "tokens", 2, "steps", 3, "seed", 5))).post("/api/runs")
                .then().statusCode(201).extract().jsonPath().getString("id");
        assertTrue(given().get("/runs/" + ascent).then().statusCode(200).extract().asString().contains("run again"));
        String again = given().redirects().follow(false).post("/runs/" + ascent + "/again").then().statusCode(303).extract().header("Location");
        JsonPath next = RunsApi.finished(again.substring(again.lastIndexOf('/') + 1));
        JsonPath first = RunsApi.finished(ascent);
        assertEquals(6, next.getInt("params.seed"));
        Map<String, Object> rest = first.getMap("params");
        rest.put("seed", 6);
        assertEquals(rest, next.getMap("params"), "only the seed changes");

        String greedy = given().contentType("application/json").body(Map.of("kind", "greedy", "model", "gpt2-tiny",
                "params", Map.of("layer", 1, "feature", "[:, :, 3]", "tokens", 1))).post("/api/runs")
                .then().statusCode(201).extract().jsonPath().getString("id");
        assertFalse(given().get("/runs/" + greedy).then().statusCode(200).extract().asString().contains("run again"));
        given().post("/runs/" + greedy + "/again").then().statusCode(400).body(containsString("no seed"));
        given().post("/api/runs/" + greedy + "/cancel");
    }

    @Test
    void refusedStudyAndImageFormsKeepEveryTypedValue() {
        Fixtures.root();
        String study = given().contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("kind", "clamped-walk").formParam("models", "gpt2-tiny:untrained").formParam("blocks", "1, x")
                .formParam("lm_head", "false").formParam("seeds", "4, 5").formParam("prompt", "Keep me").formParam("steps", "7")
                .post("/studies").then().statusCode(400).extract().asString();
        assertTrue(study.contains("is not a whole number"), study);
        assertTrue(study.contains("<option value=\"clamped-walk\" selected>"), "the kind stays");
        assertTrue(study.contains("<option value=\"gpt2-tiny:untrained\" selected>") && !study.contains("<option value=\"gpt2-tiny\" selected>"),
                "the models stay");
        assertTrue(study.contains("value=\"1, x\"") && study.contains("value=\"4, 5\"") && study.contains("Keep me") && study.contains("value=\"7\""), study);
        assertTrue(study.contains("value=\"false\" checked") && !study.contains("value=\"true\" checked"), "LM head: only 'without'");

        String grid = given().contentType("application/x-www-form-urlencoded").formParams(Map.of("model", "vit-tiny", "layers", "1",
                "over", "tokens", "first", "-3", "steps", "33", "lr", "0.07", "optimizer", "gd", "jitter", "2"))
                .post("/images/grid").then().statusCode(400).extract().asString();
        assertTrue(grid.contains("first must be a whole number"), grid);
        assertTrue(grid.contains("value=\"-3\"") && grid.contains("value=\"33\"") && grid.contains("value=\"0.07\"") && grid.contains("value=\"2\"")
                && grid.contains("value=\"tokens\" selected") && grid.contains("<option selected>gd</option>"), grid);

        String compare = given().contentType("application/x-www-form-urlencoded").formParams(Map.of("target", "image:builtin:shapes",
                "vit", "vit-tiny", "hybrid", "vit-tiny+gpt2-tiny", "layers", "9", "steps", "12", "loss", "l2", "lr", "0.3"))
                .post("/images/compare").then().statusCode(400).extract().asString();
        assertTrue(compare.contains("value=\"9\"") && compare.contains("value=\"12\"") && compare.contains("value=\"0.3\"")
                && compare.contains("<option selected>l2</option>") && compare.contains("value=\"vit-tiny+gpt2-tiny\""), compare);
    }
}
