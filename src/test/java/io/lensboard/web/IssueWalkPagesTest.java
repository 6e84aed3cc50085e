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
