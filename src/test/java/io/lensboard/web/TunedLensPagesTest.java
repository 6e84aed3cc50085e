package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The pages read through any decoder: the lens page's decoder, its short link (V7), and logit vs tuned side by side. */
@QuarkusTest
class TunedLensPagesTest {
    private static final String PROMPT = "Logit or tuned, side by side";

    private static String post(String path, String... form) {
        var request = given().redirects().follow(false).contentType("application/x-www-form-urlencoded; charset=UTF-8");
        for (int i = 0; i < form.length; i += 2) {
            request = request.formParam(form[i], form[i + 1]);
        }
        Response r = request.post(path);
        assertEquals(303, r.statusCode(), r.asString());
        return java.net.URI.create(r.header("Location")).getPath();
    }

    @Test
    void aTunedLensPageIsItsOwnShortLinkAndSaysItsDecoder() {
        Fixtures.root();
        String logit = post("/lens", "model", "gpt2-tiny", "prompt", PROMPT);
        String tuned = post("/lens", "model", "gpt2-tiny", "prompt", PROMPT, "decoder", "tuned:gpt2-tiny");
        assertNotEquals(logit, tuned, "the decoder is part of the analysis");
        String page = given().accept("text/html").get(tuned).then().statusCode(200).extract().asString();
        assertTrue(page.contains("<option value=\"tuned:gpt2-tiny\" selected>"), "the decoder select shows the page's decoder");
        assertTrue(page.contains("Decoder: the tuned lens gpt2-tiny"), "the legend names the lens");
        assertTrue(!page.contains("name=\"sub\" value=\"1\""), "no sub-block switch: a tuned lens has no translators for them");
        assertTrue(page.contains("/api/lens/csv?model=gpt2-tiny") && page.contains("decoder=tuned%3Agpt2-tiny"), "exports keep the decoder");
        given().get(tuned + "/json").then().statusCode(200).body("decoder", equalTo("tuned:gpt2-tiny"));
        given().get(logit + "/json").then().statusCode(200).body("decoder", equalTo("logit"));
        String logitPage = given().accept("text/html").get(logit).then().statusCode(200).extract().asString();
        assertTrue(logitPage.contains("logit vs tuned:gpt2-tiny, side by side"), "the logit page offers the lens that fits its model");
        String home = given().accept("text/html").get("/").then().statusCode(200).extract().asString();
        assertTrue(home.contains("gpt2-tiny · tuned:gpt2-tiny: <q>" + PROMPT + "</q>") && home.contains("gpt2-tiny: <q>" + PROMPT + "</q>"),
                "recent analyses keep each decoder's link");
    }

    @Test
    void logitVsTunedSideBySideWithBothKlCurvesOnOneChart() {
        Fixtures.root();
        String compare = post("/compare", "a", "gpt2-tiny", "b", "gpt2-tiny", "da", "logit", "db", "tuned:gpt2-tiny", "prompt", PROMPT);
        String page = given().accept("text/html").get(compare).then().statusCode(200).extract().asString();
        assertTrue(page.contains("gpt2-tiny</a> · logit") && page.contains("gpt2-tiny</a> · tuned:gpt2-tiny"), page);
        assertTrue(page.contains("class=\"chart-both\" data-a=\"gpt2-tiny · logit\" data-b=\"gpt2-tiny · tuned:gpt2-tiny\""), page);
        Matcher panes = Pattern.compile("hx-get=\"(/lens/[^/\"]+)/table").matcher(page);
        assertTrue(panes.find());
        String a = panes.group(1);
        assertTrue(panes.find());
        String b = panes.group(1);
        given().get(a + "/json").then().statusCode(200).body("decoder", equalTo("logit"));
        given().get(b + "/json").then().statusCode(200).body("decoder", equalTo("tuned:gpt2-tiny"));
    }

    @Test
    void anUnknownLensIsAPageThatSaysWhy() {
        Fixtures.root();
        given().accept("text/html").queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:nope")
                .get("/lens").then().statusCode(404).body(containsString("unknown tuned lens &#39;nope&#39;"));
    }
}
