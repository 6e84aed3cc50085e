package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs through the API on the fixtures: states, replay, cancellation, the queue limit, bad parameters. */
@QuarkusTest
class RunsApiTest {

    @Test
    void reconstructionGoesThroughEveryStateAndStoresItsResult() throws InterruptedException {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "The sky is blue.", "blocks", 1, "steps", 12, "decode_every", 5));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals(5, run.getList("result.ids").size());
        assertEquals(5, run.getList("result.topk").size());
        assertEquals(5, run.getList("result.topk[0]").size());
        assertTrue(run.getDouble("result.m") > 0 && run.getDouble("result.m_g") >= 0);
        assertTrue(run.getDouble("result.exact_fraction") >= 0 && run.getDouble("result.exact_fraction") <= 1);
        assertEquals(0.01, run.getDouble("params.lr"), 1e-12, "defaults are stored with the run");
        assertEquals("adam", run.getString("params.optimizer"));
        assertTrue(run.getString("started_at") != null && run.getString("finished_at") != null);

        List<String> types = RunsApi.eventTypes(id);
        List<String> expected = new ArrayList<>(List.of("state", "state", "state", "target"));
        for (int i = 0; i < 12; i++) {
            expected.add("step");
        }
        expected.add("done");
        assertEquals(expected, types, "a late viewer gets everything from the start");
        String body = given().get("/api/runs/" + id + "/events").asString();
        assertTrue(body.matches("(?s).*\"state\":\"queued\".*\"state\":\"loading\".*\"state\":\"running\".*\"state\":\"done\".*"), body);

        List<String> rest = RunsApi.events(id, "10");
        assertEquals("11", rest.get(0).split(":")[0], "Last-Event-ID resumes after that event");
        assertEquals(expected.size() - 10, rest.size());

        given().get("/api/runs").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
    }

    @Test
    void cancelStopsARunningRunAndKeepsItsTrajectory() throws InterruptedException {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "hello", "steps", 100000));
        RunsApi.awaitEvent(id, "step");
        given().post("/api/runs/" + id + "/cancel").then().statusCode(200);
        JsonPath run = RunsApi.finished(id);
        assertEquals("cancelled", run.getString("state"));
        assertTrue(RunsApi.events(id).stream().anyMatch(e -> e.endsWith(":step")), "steps before the cancel are stored");
    }

    @Test
    void fullQueueAnswers429() throws InterruptedException {
        Fixtures.root();
        List<String> ids = new ArrayList<>();
        ids.add(RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "a", "steps", 100000)));
        RunsApi.await(ids.get(0), Set.of("running"));
        ids.add(RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "b", "steps", 100000)));
        ids.add(RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "c", "steps", 100000)));
        given().contentType("application/json").body(Map.of("kind", "reconstruction", "model", "gpt2-tiny", "params", Map.of("prompt", "d")))
                .post("/api/runs").then().statusCode(429).body("error", containsString("queue is full"));
        ids.forEach(id -> given().post("/api/runs/" + id + "/cancel").then().statusCode(200));
        for (String id : ids) {
            assertEquals("cancelled", RunsApi.finished(id).getString("state"));
        }
    }

    static Stream<Arguments> badParameters() {
        return Stream.of(
                Arguments.of(Map.of(), "params.prompt is required"),
                Arguments.of(Map.of("prompt", ""), "params.prompt is empty"),
                Arguments.of(Map.of("prompt", "x", "blocks", 5), "params.blocks must be between 0 and 4"),
                Arguments.of(Map.of("prompt", "x", "blocks", "two"), "params.blocks must be a whole number"),
                Arguments.of(Map.of("prompt", "x", "lr", 0), "params.lr must be above 0"),
                Arguments.of(Map.of("prompt", "x", "steps", 0), "params.steps must be between 1 and 100000"),
                Arguments.of(Map.of("prompt", "x", "steps", 100001), "params.steps must be between 1 and 100000"),
                Arguments.of(Map.of("prompt", "x", "loss", "l3"), "params.loss must be one of [l1, l2]"),
                Arguments.of(Map.of("prompt", "x", "optimizer", "sgd"), "params.optimizer must be one of [adam, gd]"),
                Arguments.of(Map.of("prompt", "x", "topk", 101), "params.topk must be between 1 and 100"),
                Arguments.of(Map.of("prompt", "x", "seed", -1), "params.seed must be between 0"),
                Arguments.of(Map.of("prompt", "x", "steps", 10, "decode_every", 11), "params.decode_every must be between 1 and 10"),
                Arguments.of(Map.of("prompt", "x", "final_norm", "yes"), "params.final_norm must be true or false"),
                Arguments.of(Map.of("prompt", "x", "stepz", 10), "unknown parameter params.stepz"));
    }

    @ParameterizedTest
    @MethodSource("badParameters")
    void rejectsEveryBadParameter(Map<String, Object> params, String message) {
        Fixtures.root();
        given().contentType("application/json").body(Map.of("kind", "reconstruction", "model", "gpt2-tiny", "params", params))
                .post("/api/runs").then().statusCode(400).body("error", containsString(message));
    }

    @Test
    void rejectsUnknownKindModelAndRun() {
        Fixtures.root();
        Map<String, Object> body = new HashMap<>(Map.of("kind", "nope", "model", "gpt2-tiny", "params", Map.of("prompt", "x")));
        given().contentType("application/json").body(body).post("/api/runs").then().statusCode(400)
                .body("error", containsString("unknown run kind 'nope'"));
        body.put("kind", "reconstruction");
        body.put("model", "no-such-model");
        given().contentType("application/json").body(body).post("/api/runs").then().statusCode(404)
                .body("error", containsString("unknown model"));
        given().get("/api/runs/zzzz").then().statusCode(404).body("error", containsString("no run 'zzzz'"));
        given().post("/api/runs/zzzz/cancel").then().statusCode(404);
        given().contentType("application/json").body("{\"kind\":\"reconstruction\",\"model\":\"gpt2-tiny\",\"params\":\"x\"}")
                .post("/api/runs").then().statusCode(400).body("error", equalTo("params must be a JSON object"));
    }
}
