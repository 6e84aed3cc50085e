package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 25 as a second walk found it. Item 14: the image forms' fields whose meaning is not in their label explain it
 * as text under the field, which keyboard and touch users see, not as a hover title, which they never do. Item 1: the
 * runs list's model filter reads a hand-typed {@code ?model=vit-tiny+gpt2-tiny} (a space once decoded) as the hybrid.
 * Item 2: a hybrid's parameters are checked against its blocks when the form is sent, loaded or not, so a grid with a
 * block the hybrid lacks is refused at once rather than started as a table of failing runs.
 */
@QuarkusTest
class IssueWalkPagesTest {

    @Test
    void imageFormsExplainTargetStartAndModelUnderTheField() {
        assertHelped(page("/images/grid"), "start");
        assertHelped(page("/images/compare"), "target", "start");
        assertHelped(page("/images/builtin:shapes"), "model");
    }

    @Test
    void runsFilterReadsAnUnescapedHybridAsTheHybrid() {
        String id = RunsApi.start("image-ascent", "vit-tiny+gpt2-tiny", Map.of("layer", 1, "feature", "[:, :, 5]", "steps", 2));
        RunsApi.finished(id);
        String html = given().urlEncodingEnabled(false).accept("text/html").get("/runs?model=vit-tiny+gpt2-tiny")
                .then().statusCode(200).extract().asString();
        assertTrue(html.contains("href=\"/runs/" + id + "\""), "the hybrid's run is listed");
        assertFalse(html.contains("No runs match"), "a filter that matches");
    }

    @Test
    void aHybridNotYetLoadedIsCheckedAgainstItsBlocks() {
        // hybrids no other test loads: their configs come from the two checkpoints, not from a loaded model
        given().contentType("application/json")
                .body(Map.of("kind", "image-ascent", "model", "vit-tiny:untrained+llama-tiny:untrained",
                        "params", Map.of("layer", 9, "feature", "[:, :, 5]", "steps", 2)))
                .post("/api/runs").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("params.layer must be between 1 and 3, got 9"));
        String html = given().accept("text/html").contentType("application/x-www-form-urlencoded")
                .formParam("model", "vit-tiny:untrained+gpt2-tiny:untrained").formParam("layers", "1, 77").formParam("over", "neurons")
                .formParam("first", "0").formParam("steps", "2").formParam("lr", "0.05").formParam("optimizer", "adam")
                .formParam("start", "noise").formParam("blur_sigma", "0").formParam("jitter", "0")
                .post("/images/grid").then().statusCode(400).extract().asString();
        assertTrue(html.contains("params.layer must be between 1 and 4, got 77"), "the grid's refusal names the block");
        assertTrue(html.contains("value=\"1, 77\""), "kept as typed");
    }

    private static String page(String path) {
        return given().accept("text/html").get(path).then().statusCode(200).extract().asString();
    }

    /** Each named input points (aria-describedby) at a help text on the page, and neither it nor its label has a title. */
    private static void assertHelped(String html, String... names) {
        for (String name : names) {
            Matcher label = Pattern.compile("<label[^>]*>[^<]*<input name=\"" + name + "\"[^>]*>").matcher(html);
            assertTrue(label.find(), "input " + name);
            String field = label.group();
            assertFalse(field.contains("title="), "hover-only help on " + name + ": " + field);
            Matcher described = Pattern.compile("aria-describedby=\"([^\"]+)\"").matcher(field);
            assertTrue(described.find(), "no help for " + name + ": " + field);
            Matcher help = Pattern.compile("<small class=\"help\" id=\"" + Pattern.quote(described.group(1)) + "\">([^<]+)</small>")
                    .matcher(html);
            assertTrue(help.find() && !help.group(1).isBlank(), "help text " + described.group(1) + " for " + name);
        }
    }
}
