package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.testing.Await;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Pages and fragments render the right content, escaped, from their URL alone. */
@QuarkusTest
class DashboardTest {
    private static final String PROMPT = "The sky is blue.";

    private static String rows(String model, String prompt) {
        return given().queryParam("model", model).queryParam("prompt", prompt).get("/lens/rows")
                .then().statusCode(200).extract().asString();
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void homeShowsCatalogPromptBoxAndRecentAnalyses() {
        Fixtures.root();
        rows("gpt2-tiny", "recent one");
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(allOf(containsString("gpt2-tiny"), containsString("llama-tiny:untrained"), containsString("<textarea name=\"prompt\""),
                        containsString("hx-post=\"/fragments/models/load\""), containsString("recent one")));
    }

    @Test
    void loadButtonLoadsAModelAndTheCatalogShowsIt() throws InterruptedException {
        Fixtures.root();
        given().formParam("model", "llama-tiny:untrained:5").post("/fragments/models/load").then().statusCode(200);
        Await.until("llama-tiny:untrained:5 to be listed loaded", Duration.ofSeconds(30),
                () -> given().get("/fragments/models").asString().matches("(?s).*llama-tiny:untrained:5.*loaded.*"));
        given().get("/fragments/models").then().body(allOf(containsString("llama-tiny:untrained:5"), containsString("untrained, seed 5")));
    }

    @Test
    void lensPageStreamsRowsOverSseFromItsUrlAlone() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "A fresh prompt").get("/lens").then().statusCode(200)
                .body(allOf(org.hamcrest.Matchers.matchesPattern("(?s).*sse-connect=\"/lens/[\\w-]+/rows\\?metric=prob&amp;topk=5&amp;sub=0&amp;pane=main\".*"),
                        containsString("A fresh prompt"), containsString("/api/lens/csv?model=gpt2-tiny")));
        String events = rows("gpt2-tiny", "A fresh prompt");
        assertEquals(5, count(events, "(?m)^event: ?row"), events);
        assertTrue(events.matches("(?s).*event: ?head.*·fresh.*"), "column heads show input tokens, leading space visible");
        assertTrue(events.trim().endsWith("done"), "done comes last");
    }

    @Test
    void tableShowsTopTokensMetricValuesAndStars() {
        JsonNode golden = Fixtures.json(Fixtures.dir("gpt2-tiny").resolve("golden/prompt0.json"));
        rows("gpt2-tiny", PROMPT);
        String prob = String.format("%.4f", golden.at("/lens/top1_prob/2/0").asDouble());
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("metric", "prob")
                .get("/lens/table").then().statusCode(200)
                .header("HX-Push-Url", "/lens?model=gpt2-tiny&prompt=The%20sky%20is%20blue.&metric=prob&topk=5")
                .body(allOf(containsString("data-metric=\"prob\""), containsString(">·sky<"), containsString(prob),
                        containsString("id=\"main-row-4\""), containsString("blocks.3.hook_resid_post")));
        String entropy = String.format("%.3f", golden.at("/lens/entropy/4/1").asDouble());
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("metric", "entropy")
                .get("/lens/table").then().statusCode(200)
                .body(allOf(containsString("data-metric=\"entropy\""), containsString(entropy)));
    }

    @Test
    void escapesTokensEverywhere() {
        Fixtures.root();
        String nasty = "x\"></td><script>alert(1)</script>\n\tend";
        String events = rows("gpt2-tiny", nasty);
        assertFalse(events.contains("<script>alert"), "no raw markup in SSE payloads");
        assertTrue(events.contains("&quot;&gt;&lt;/"), events);
        assertTrue(events.contains("↵"), "newline shown visibly");
        String page = given().queryParam("model", "gpt2-tiny").queryParam("prompt", nasty).get("/lens").then().statusCode(200).extract().asString();
        assertFalse(page.contains("<script>alert"), "no raw markup in the page");
        String table = given().queryParam("model", "gpt2-tiny").queryParam("prompt", nasty).get("/lens/table").asString();
        assertFalse(table.contains("<script>alert"), "no raw markup in the table");
        assertTrue(table.contains("&lt;/"), table);
    }

    @Test
    void cellShowsTopKAndRanks() {
        JsonNode golden = Fixtures.json(Fixtures.dir("gpt2-tiny").resolve("golden/prompt0.json"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("layer", "3").queryParam("pos", 1)
                .get("/lens/cell").then().statusCode(200)
                .body(allOf(containsString("rank of the true next token"),
                        containsString("<dd>" + golden.at("/lens/rank_next_token/3/1").asLong() + "</dd>"),
                        containsString("blocks.2.hook_resid_post, position 1"), containsString("·sky")));
    }

    @Test
    void badPromptShowsTheApiMessageNextToTheBox() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "").get("/lens").then().statusCode(400)
                .body(allOf(containsString("class=\"error\" role=\"alert\">prompt is empty"), containsString("<textarea"),
                        not(containsString("Exception"))));
        given().queryParam("model", "nope").queryParam("prompt", "hi").get("/lens").then().statusCode(404)
                .body(containsString("unknown model &#39;nope&#39;"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "hi").queryParam("metric", "colour").get("/lens").then().statusCode(400)
                .body(containsString("metric must be one of"));
    }

    @Test
    void compareShowsTwoModelsSideBySide() {
        Fixtures.root();
        given().queryParam("a", "gpt2-tiny").queryParam("b", "gpt2-tiny:untrained").queryParam("prompt", PROMPT).get("/compare")
                .then().statusCode(200)
                .body(allOf(containsString("id=\"pane-a\""), containsString("id=\"pane-b\""),
                        org.hamcrest.Matchers.matchesPattern("(?s).*<a href=\"/lens/[\\w-]+\\?metric=prob[^\"]*\">gpt2-tiny:untrained</a>.*")));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).get("/lens").then()
                .body(containsString("compare with gpt2-tiny:untrained"));
    }

    @Test
    void exportsCsv() {
        Fixtures.root();
        String csv = given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).get("/api/lens/csv")
                .then().statusCode(200).contentType(containsString("text/csv")).extract().asString();
        String[] lines = csv.split("\n");
        assertEquals(1 + 5 * 5 + 2, lines.length, "the header, a line per layer and position, then two comment lines");
        assertEquals("# dtype: float32", lines[lines.length - 1]);
        assertTrue(lines[0].startsWith("layer,hook,position"));
        assertTrue(lines[2].startsWith("0,blocks.0.hook_resid_pre,1,6766,\" sky\""), lines[2]);
    }

    @Test
    void exportsNameTheirFilesAndCarryEveryTopToken() {
        Fixtures.root();
        String day = java.time.LocalDate.now().toString();
        var csv = given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("topk", 3).get("/api/lens/csv")
                .then().statusCode(200).header("Content-Disposition", containsString("lens-gpt2-tiny-The_sky_is-")).extract();
        String[] lines = csv.asString().split("\n");
        assertTrue(lines[0].startsWith("layer,hook,position,input_id,input_text,top1_id,top1_text,top1_prob,top1_logit,entropy,"
                + "kl_final,kl_input,rank_final_top1,rank_next_token,rank_input_token,k1_id,"), lines[0]);
        assertTrue(lines[0].endsWith(",k3_id,k3_text,k3_prob,k3_logit"), lines[0]);
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).get("/api/lens/json").then().statusCode(200)
                .header("Content-Disposition", containsString("attachment; filename=\"lens-gpt2-tiny-The_sky_is-" + day))
                .body("tokens.size()", org.hamcrest.Matchers.greaterThan(0));
    }

    @Test
    void twinButtonKeepsSubBlockRowsAndOnlyOffersATwinThatLoads() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("sub", 1).get("/lens").then().statusCode(200)
                .body(allOf(containsString("compare with gpt2-tiny:untrained"), containsString("name=\"sub\" value=\"1\"")));
        given().queryParam("model", "gpt2-small-config:untrained").queryParam("prompt", PROMPT).get("/lens").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(containsString("compare with gpt2-small-config")));
        String events = given().queryParam("model", "gpt2-small-config").queryParam("prompt", PROMPT).get("/lens/rows")
                .then().statusCode(200).extract().asString();
        assertTrue(events.contains("event: error") || events.contains("event:error"), events);
        assertFalse(events.contains("fixtures/") || events.contains("/work/"), "no server path in a page error: " + events);
    }

    @Test
    void assetsComeFromWebjars() {
        given().get("/webjars/htmx.org/dist/htmx.min.js").then().statusCode(200);
        given().get("/webjars/htmx-ext-sse/sse.js").then().statusCode(200);
        given().get("/webjars/chart.js/dist/chart.umd.min.js").then().statusCode(200);
        given().get("/lensboard.js").then().statusCode(200).body(containsString("htmx:sseMessage"));
        given().get("/lensboard.css").then().statusCode(200);
    }
}
