package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * How a run's page says it ended (issue 25, item 9), read from its live feed as a viewer gets it: took N s when done,
 * cancelled or failed (no bar, no time left, not "finished"); and the twin button's direction, which opens both runs
 * side by side (item 5).
 */
@QuarkusTest
class RunStatusPagesTest {

    private static String live(String id) {
        return given().accept("text/event-stream").get("/runs/" + id + "/live").then().statusCode(200).extract().asString();
    }

    /** The data of the stream's last event named {@code name}. */
    private static String last(String stream, String name) {
        Matcher m = Pattern.compile("(?m)^event: ?" + name + "\\R(?:id:.*\\R)?data: ?(.*)$").matcher(stream);
        String data = null;
        while (m.find()) {
            data = m.group(1);
        }
        return data;
    }

    @Test
    void doneRunSaysHowLongItTookAsItsLastEventArrives() {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "The sky.", "steps", 3));
        RunsApi.done(id);
        String stream = live(id);
        String progress = last(stream, "progress");
        assertTrue(progress.matches(".*value=\"1\\.0\".*took \\d+ s.*"), progress);
        assertEquals("<span class=\"finished ended-done\">finished</span>", last(stream, "done"));
    }

    @Test
    void cancelledRunSaysCancelledWithNoTimeLeft() {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "hello", "steps", 100000));
        RunsApi.await(id, java.util.Set.of("running"));
        given().post("/api/runs/" + id + "/cancel").then().statusCode(200);
        assertEquals("cancelled", RunsApi.finished(id).getString("state"));
        String stream = live(id);
        assertTrue(last(stream, "progress").matches("<span class=\"stopped\">cancelled after \\d+ s</span>"), last(stream, "progress"));
        assertTrue(!stream.contains(" left") && !stream.contains("so far"), "a finished run's replay has no time left: " + stream);
        assertEquals("<span class=\"finished ended-cancelled\">cancelled</span>", last(stream, "done"));
        given().get("/runs/" + id).then().statusCode(200).body(containsString("<b class=\"state-cancelled\">cancelled</b>"));
    }

    @Test
    void failedTunedLensSaysFailedWithTheReasonNotFinished() {
        Fixtures.root();
        // a corpus far shorter than two contexts: the run fails as it opens, naming the corpus's length
        String corpus = "too-short-" + System.nanoTime();
        given().contentType("text/plain").queryParam("name", corpus).body("Too short.").post("/api/corpora").then().statusCode(201);
        String id = RunsApi.start("tuned-lens", "gpt2-tiny", Map.of("corpus", corpus, "steps", 5, "tokens", 256, "context", 32));
        assertEquals("failed", RunsApi.finished(id).getString("state"));
        String error = RunsApi.run(id).getString("error");
        String stream = live(id);
        assertTrue(last(stream, "progress").matches("<span class=\"stopped\">failed after \\d+ s</span>"), last(stream, "progress"));
        assertEquals("<span class=\"finished ended-failed\">failed</span>", last(stream, "done"));
        assertTrue(error.startsWith("corpus '" + corpus + "' has "), error);
        assertTrue(last(stream, "result").contains("role=\"alert\">failed: corpus &#39;" + corpus + "&#39; has "), last(stream, "result"));
    }

    @Test
    void twinOfAnUntrainedRunIsTheTrainedModelAndBothOpenSideBySide() {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny:untrained", Map.of("prompt", "The sky.", "steps", 2));
        RunsApi.finished(id);
        given().get("/runs/" + id).then().statusCode(200)
                .body(containsString("compare with the trained model: gpt2-tiny:untrained → gpt2-tiny"));
        String location = given().redirects().follow(false).post("/runs/" + id + "/twin").then().statusCode(303).extract().header("Location");
        assertTrue(location.matches(".*/runs/compare/" + id + "/\\w+"), location);
        String twin = location.substring(location.lastIndexOf('/') + 1);
        assertEquals("gpt2-tiny", RunsApi.finished(twin).getString("model"));
        given().get(location).then().statusCode(200).body(allOf(containsString("sse-connect=\"/runs/" + id + "/live\""),
                containsString("sse-connect=\"/runs/" + twin + "/live\""), containsString("reconstruction on gpt2-tiny:untrained"),
                containsString("compare with the untrained twin: gpt2-tiny → gpt2-tiny:untrained"), not(containsString("id=\"run-state\""))));
        given().get("/runs/compare/" + id + "/nope").then().statusCode(404).body(containsString("nope"));
    }
}
