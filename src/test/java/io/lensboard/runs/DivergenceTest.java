package io.lensboard.runs;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A run whose numbers become NaN or infinite ends failed, naming the step and the number, never done. */
@QuarkusTest
@TestProfile(DivergenceTest.WithDivergingKind.class)
class DivergenceTest {
    /** Its own application, with the test-only kind that diverges on request. */
    public static class WithDivergingKind implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(DivergingKind.class);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.data-dir", "./target/test-data-divergence");
        }
    }

    @Inject
    RunService runs;

    private RunRecord runToTheEnd(Map<String, Object> params) throws InterruptedException {
        Fixtures.root();
        String id = given().contentType("application/json").body(Map.of("kind", "diverging", "model", "gpt2-tiny", "params", params))
                .post("/api/runs").then().statusCode(201).extract().path("id");
        for (int i = 0; i < 600; i++) {
            RunRecord run = runs.find(id);
            if (run.state().finished()) {
                return run;
            }
            Thread.sleep(100);
        }
        fail("run " + id + " did not finish within 60 s: " + runs.find(id).state());
        return null;
    }

    @Test
    void nanAtStepThreeFailsTheRunKeepingTheFiniteSteps() throws Exception {
        RunRecord run = runToTheEnd(Map.of("steps", 5, "nan_at", 3));

        assertEquals(RunState.FAILED, run.state());
        assertEquals("diverged at step 3: loss NaN", run.error());
        assertNull(run.result(), "no result is stored for a diverged run");
        List<RunEvent> events = runs.events(run.id(), 0);
        List<Integer> lossSteps = events.stream().filter(e -> e.type().equals("loss")).map(e -> e.json().get("step").asInt()).toList();
        assertEquals(List.of(1, 2), lossSteps, "the finite steps' events are kept, the diverged step's are not");
        assertTrue(events.stream().noneMatch(e -> e.type().equals("step") && e.json().get("step").asInt() == 3),
                "none of the diverged step's events is stored");
        assertTrue(events.stream().filter(e -> !e.type().equals("done")).noneMatch(e -> e.data().contains("NaN")),
                "no stored step holds a NaN: " + events);
        RunEvent done = events.get(events.size() - 1);
        assertEquals("done", done.type());
        assertEquals("failed", done.json().get("state").asText());
        assertEquals("diverged at step 3: loss NaN", done.json().get("error").asText());
        assertEquals("failed", given().get("/api/runs/" + run.id()).then().statusCode(200).extract().path("state"));
    }

    @Test
    void anInfiniteResultFailsTheRunAfterItsLastStep() throws Exception {
        RunRecord run = runToTheEnd(Map.of("steps", 2, "infinite_result", true));

        assertEquals(RunState.FAILED, run.state());
        assertEquals("diverged at step 2: loss Infinity", run.error());
        assertNull(run.result());
        assertEquals(2, runs.events(run.id(), 0).stream().filter(e -> e.type().equals("loss")).count(), "every finite step is kept");
    }

    @Test
    void namesTheFirstNonFiniteNumberByItsPath() {
        var data = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(
                Map.of("a", Map.of("values", new float[] {1f, Float.NEGATIVE_INFINITY, Float.NaN})));
        assertEquals("a.values[1] -Infinity", Divergence.nonFinite(data, "").orElseThrow());
        assertTrue(Divergence.nonFinite(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(Map.of("loss", 1e308)), "").isEmpty());
    }

    @Test
    void aFiniteRunIsDone() throws Exception {
        RunRecord run = runToTheEnd(Map.of("steps", 2));

        assertEquals(RunState.DONE, run.state(), run.error());
        assertEquals(0.5, run.result().get("loss").asDouble());
    }
}
