package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.RunKinds;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A kind's parameter schema is written once and shows everywhere; the run page lives on fragments; the queue frees slots. */
@QuarkusTest
class RunKindsTest {

    @Inject
    RunKinds kinds;

    @Test
    void openApiDocumentsEveryKindsParametersFromTheirSchema() {
        JsonPath api = given().get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        for (RunKind<?> kind : kinds.all()) {
            String base = "components.schemas.'" + kind.name() + "-params'";
            for (ParamSchema.Param p : kind.schema().params()) {
                assertEquals(p.description(), api.getString(base + ".properties." + p.name() + ".description"), kind.name() + "." + p.name());
            }
        }
        assertEquals(100000, api.getInt("components.schemas.'reconstruction-params'.properties.steps.maximum"));
        assertEquals(400, api.getInt("components.schemas.'reconstruction-params'.properties.steps.default"));
        assertEquals(List.of("l1", "l2"), api.getList("components.schemas.'reconstruction-params'.properties.loss.enum"));
        assertTrue(api.getList("components.schemas.'greedy-params'.required").contains("feature"));
    }

    @Test
    void runsPageHasAFormPerKindWithEveryParameterAndItsDefault() {
        String page = given().get("/runs").then().statusCode(200).extract().asString();
        for (RunKind<?> kind : kinds.all()) {
            assertTrue(page.contains("name=\"kind\" value=\"" + kind.name() + "\""), kind.name());
        }
        assertTrue(page.contains("name=\"init_scale\" value=\"1\""), "ascent's init_scale with its default");
        for (ParamSchema.Param p : kinds.get("reconstruction").schema().params()) {
            assertTrue(page.contains("name=\"" + p.name() + "\""), "the reconstruction form has " + p.name());
        }
        assertTrue(page.contains("name=\"decode_every\""));
    }

    @Test
    void refusedFormKeepsWhatWasTyped() {
        Fixtures.root();
        given().formParam("kind", "reconstruction").formParam("model", "gpt2-tiny").formParam("prompt", "My own prompt")
                .formParam("steps", "0").post("/runs").then().statusCode(400)
                .body(allOf(containsString("My own prompt</textarea>"), containsString("name=\"steps\" value=\"0\""),
                        containsString("params.steps must be between 1 and 100000")));
    }

    @Test
    void runPageStreamCarriesFragmentsChartDataAndTheResult() throws InterruptedException {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "The sky is blue.", "steps", 6, "decode_every", 3));
        RunsApi.finished(id);
        String stream = given().get("/runs/" + id + "/live").then().statusCode(200).extract().asString();
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^event: ?([\\w-]+)").matcher(stream);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertEquals(6, names.stream().filter("data"::equals).count() - 1, "a data event per step and one for the target: " + names);
        assertTrue(names.contains("target") && names.contains("step") && names.contains("progress"), names.toString());
        assertEquals(List.of("state", "result", "done"), names.subList(names.size() - 3, names.size()));
        assertTrue(stream.contains("·sky"), "tokens shown as the lens shows them");
        assertTrue(stream.contains("Exact tokens"), "the result fragment");
        assertTrue(stream.contains("100%") && stream.contains("took "), "progress with the run's duration once finished");
    }

    @Test
    void cancellingAQueuedRunFreesItsSlotAtOnce() throws InterruptedException {
        Fixtures.root();
        List<String> ids = new ArrayList<>();
        ids.add(RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "a", "steps", 100000)));
        RunsApi.await(ids.get(0), Set.of("running"));
        ids.add(RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "b", "steps", 100000)));
        ids.add(RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "c", "steps", 100000)));
        given().post("/api/runs/" + ids.get(2) + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        ids.add(RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "d", "steps", 100000))); // the freed slot, at once
        ids.forEach(id -> given().post("/api/runs/" + id + "/cancel").then().statusCode(200));
        for (String id : ids) {
            assertEquals("cancelled", RunsApi.finished(id).getString("state"));
        }
    }

    @Test
    void unknownRunsAndPagesAreHtmlPagesForBrowsersAndJsonForTheApi() {
        given().accept("text/html").get("/runs/nope").then().statusCode(404).contentType("text/html")
                .body(allOf(containsString("no run &#39;nope&#39;"), containsString("href=\"/runs\"")));
        given().accept("text/html").get("/no/such/page").then().statusCode(404).contentType("text/html")
                .body(containsString("there is no page or API call at /no/such/page"));
        given().get("/api/runs/nope").then().statusCode(404).contentType("application/json")
                .body("error", containsString("no run 'nope'"));
        given().get("/alignments/nope").then().statusCode(404).contentType("application/json");
    }

    @Test
    void sizesAreCheckedBeforeAnyWorkStarts() {
        given().contentType("application/json").body(Map.of("kind", "reconstruction", "model", "gpt2-tiny",
                        "params", Map.of("prompt", "x".repeat(20001))))
                .post("/api/runs").then().statusCode(400).body("error", containsString("params.prompt is 20001 characters long; at most 20000"));
        List<String> models = java.util.Collections.nCopies(2048, "gpt2-tiny");
        List<Integer> layers = java.util.Collections.nCopies(2048, 1);
        List<String> features = java.util.Collections.nCopies(1024, "[:, :, 0]");
        given().contentType("application/json").body(Map.of("kind", "greedy", "models", models, "layers", layers, "features", features))
                .post("/api/alignments").then().statusCode(400)
                .body("error", containsString("the table would have 4294967296 cells"));
    }

    @Test
    void runsListFiltersByKindModelAndStateAndShowsEachResult() throws InterruptedException {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "Listed", "steps", 2));
        RunsApi.finished(id);
        given().get("/runs?kind=reconstruction&model=gpt2-tiny&state=done").then().statusCode(200)
                .body(allOf(containsString("/runs/" + id), containsString("exact "), containsString(" UTC</time>")));
        given().get("/runs/list?kind=exhaustive").then().statusCode(200).body(org.hamcrest.Matchers.not(containsString("/runs/" + id)));
        given().get("/runs?state=nope").then().statusCode(400).body("error", containsString("state must be one of"));
        given().get("/runs?kind=nope").then().statusCode(400).body("error", containsString("unknown run kind 'nope'"));
    }

    @Test
    void runsListGroupsATablesCellsUnderTheTable() throws InterruptedException {
        Fixtures.root();
        String table = given().contentType("application/json").body(Map.of("kind", "exhaustive", "models", List.of("gpt2-tiny"),
                "layers", List.of(1), "features", List.of("[:, :, 0]", "[:, :, 1]"), "params", Map.of("topk", 3)))
                .post("/api/alignments").then().statusCode(201).extract().path("id");
        String page = given().get("/runs?kind=exhaustive").then().statusCode(200).extract().asString();
        int heading = page.indexOf("alignment table <a href=\"/alignments/" + table + "\">");
        assertTrue(heading > 0, "a heading row for the table");
        assertTrue(page.indexOf(": 2 of its cells", heading) > 0, "its two cells under it");
        given().post("/api/alignments/" + table + "/cancel").then().statusCode(200);
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedAtSubmission() {
        Fixtures.root();
        given().get("/api/lens?model=gpt2-tiny&prompt=load").then().statusCode(200); // loaded: checked on its device thread
        for (String model : List.of("gpt2-tiny", "gpt2-tiny:untrained:7")) { // the second: a local checkpoint's tokenizer
            given().contentType("application/json").body(Map.of("kind", "reconstruction", "model", model,
                            "params", Map.of("prompt", " word".repeat(200))))
                    .post("/api/runs").then().statusCode(400)
                    .body("error", containsString("params.prompt is 200 tokens long; the model has a context of 128 tokens"));
        }
    }
}
