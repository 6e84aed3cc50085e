package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.runs.GridTable;
import io.lensboard.runs.RunGrid;
import io.lensboard.runs.RunStore;
import io.lensboard.testing.RunsApi;
import io.restassured.path.json.JsonPath;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Studies through the API and their page, on the fixtures: one run per combination, stored, live, refused when wrong. */
@QuarkusTest
class StudiesApiTest {
    @Inject
    DataSource db;

    @Inject
    ObjectMapper json;

    private static Map<String, Object> study(Object... overrides) {
        Map<String, Object> body = new HashMap<>(Map.of("kind", "reconstruction", "models", List.of("gpt2-tiny", "gpt2-tiny:untrained"),
                "blocks", List.of(2, 1), "lm_head", List.of(true, false), "seeds", List.of(3, 0),
                "params", Map.of("prompt", "The sky", "steps", 10, "decode_every", 5)));
        for (int i = 0; i < overrides.length; i += 2) {
            body.put((String) overrides[i], overrides[i + 1]);
        }
        return body;
    }

    @Test
    void aStudyHasOneCellPerCombinationFillsInLiveAndReopensFromTheDatabase() throws InterruptedException {
        Fixtures.root();
        String id = given().contentType("application/json").body(study()).post("/api/studies")
                .then().statusCode(201).body("page", containsString("/studies/")).extract().path("id");
        JsonPath s = given().get("/api/studies/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals("reconstruction", s.getString("kind"));
        assertEquals(16, s.getList("cells").size());
        // models outermost, seeds fastest, every value as given (blocks [2, 1] stay in that order)
        assertEquals(List.of("gpt2-tiny", 2, true, 3), List.of(s.get("cells[0].model"), s.get("cells[0].blocks"), s.get("cells[0].lm_head"), s.get("cells[0].seed")));
        assertEquals(List.of("gpt2-tiny:untrained", 1, false, 0), List.of(s.get("cells[15].model"), s.get("cells[15].blocks"), s.get("cells[15].lm_head"), s.get("cells[15].seed")));
        for (int i = 0; i < 16; i++) {
            JsonPath run = given().get("/api/runs/" + s.getString("cells[" + i + "].run")).then().statusCode(200).extract().jsonPath();
            assertEquals(s.getString("cells[" + i + "].model"), run.getString("model"));
            assertEquals(s.getInt("cells[" + i + "].blocks"), run.getInt("params.blocks"), "cell " + i);
            assertEquals(s.getBoolean("cells[" + i + "].lm_head"), run.getBoolean("params.lm_head"), "cell " + i);
            assertEquals(s.getInt("cells[" + i + "].seed"), run.getInt("params.seed"), "cell " + i);
            assertEquals(10, run.getInt("params.steps"), "the shared params reach every cell");
        }

        String stream = given().get("/studies/" + id + "/rows").then().statusCode(200).extract().asString();
        List<String> names = Pattern.compile("(?m)^event: ?([\\w-]+)").matcher(stream).results().map(m -> m.group(1)).toList();
        for (int r = 0; r < 8; r++) {
            assertTrue(names.contains("row-" + r), "an event for row " + r + ": " + names);
        }
        assertEquals("done", names.get(names.size() - 1), names.toString());
        Matcher chart = Pattern.compile("(?m)^id: ?16\\R(?:.*\\R)*?data: ?(\\{\"type\":\"criterion\".*)$").matcher(stream);
        assertTrue(chart.find(), "the chart's last update has id 16 (all cells finished): " + stream);
        assertTrue(chart.group(1).contains("\"blocks\":[2,1]") && chart.group(1).contains("\"s3\":["), chart.group(1));

        s = given().get("/api/studies/" + id).then().statusCode(200).extract().jsonPath();
        assertTrue(Set.of("done", "finished").contains(s.getString("state")), s.getString("state"));
        assertTrue(s.getList("cells.state").stream().allMatch(RunsApi.FINISHED::contains), s.getList("cells.state").toString());
        assertTrue(s.getMap("cells[0].result").containsKey("steps_to_criterion"), s.prettify());

        String page = given().get("/studies/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("16 of 16 runs finished"), page);
        assertTrue(page.contains("id=\"row-7\"") && !page.contains("id=\"row-8\""), "one row per (model, blocks, lm_head)");
        assertTrue(page.contains("data-chart=") && page.contains("gpt2-tiny:untrained, no LM head"), page);
        assertTrue(page.contains("href=\"/runs/" + s.getString("cells[0].run") + "\""), "a seed links to its run");
        assertTrue(given().get("/studies").then().statusCode(200).extract().asString().contains("/studies/" + id));
        assertTrue(given().get("/api/studies").then().statusCode(200).extract().jsonPath().getList("id").contains(id));

        // as a restarted service finds it: the row alone, read by a new store
        RunGrid stored = new RunStore(db, json).findGrid(GridTable.STUDIES, id).orElseThrow();
        assertEquals(s.getList("cells.run"), stored.runs());
        assertEquals(List.of(List.of("gpt2-tiny", "gpt2-tiny:untrained"), List.of(2, 1), List.of(true, false), List.of(3, 0)), stored.values());
    }

    @Test
    void badAxesAreRefusedNamingTheField() {
        post(study("blocks", List.of()), "blocks is empty");
        post(study("lm_head", null), "lm_head is empty");
        post(study("seeds", List.of(-1)), "seeds must be at least 0");
        post(study("kind", "exhaustive"), "kind must be one of");
        post(study("params", Map.of("prompt", "x", "seed", 4)), "params.seed comes from the study's seeds");
        post(study("params", Map.of("prompt", "x", "lm_head", true)), "params.lm_head comes from the study's lm_head");
        post(study("seeds", java.util.stream.IntStream.range(0, 40).boxed().toList()),
                "the study would have 320 cells (models × blocks × lm_head × seeds); at most 128: drop some models, blocks, lm_head or seeds");
        given().contentType("application/json").body(study("blocks", List.of(1, 9))).post("/api/studies").then().statusCode(400)
                .body("error", allOf(containsString("reconstruction on gpt2-tiny"), containsString("\"blocks\":9")));
        given().get("/api/studies/nope").then().statusCode(404).body("error", containsString("no study 'nope'"));
    }

    private static void post(Map<String, Object> body, String error) {
        given().contentType("application/json").body(body).post("/api/studies").then().statusCode(400).body("error", containsString(error));
    }

    @Test
    void theFormStartsAStudyAndAWrongOneComesBackWithItsError() {
        Fixtures.root();
        String location = given().redirects().follow(false).contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("kind", "reconstruction").formParam("models", "gpt2-tiny").formParam("blocks", "1")
                .formParam("lm_head", "true").formParam("seeds", "0").formParam("prompt", "Hi").formParam("steps", "5")
                .post("/studies").then().statusCode(303).extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        JsonPath s = given().get("/api/studies/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(1, s.getList("cells").size());
        assertEquals(5, given().get("/api/runs/" + s.getString("cells[0].run")).then().extract().jsonPath().getInt("params.steps"));
        given().post("/api/studies/" + id + "/cancel").then().statusCode(200);

        String page = given().contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("kind", "reconstruction").formParam("models", "gpt2-tiny").formParam("blocks", "one")
                .formParam("lm_head", "true").formParam("seeds", "0").formParam("prompt", "Hi")
                .post("/studies").then().statusCode(400).extract().asString();
        assertTrue(page.contains("blocks: &#39;one&#39; is not a whole number") || page.contains("blocks: 'one' is not a whole number"), page);
    }
}
