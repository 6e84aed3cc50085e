package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The lens page's fragments and its HTML event stream, as rendered from the lens fragments. */
@QuarkusTest
class LensPagesTest {

    private static String rows(String model, String prompt, String pane) {
        return given().queryParam("model", model).queryParam("prompt", prompt).queryParam("pane", pane).get("/lens/rows")
                .then().statusCode(200).extract().asString();
    }

    private static List<String> eventNames(String events) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^event: ?(\\w+)").matcher(events);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void rowsStreamStatusHeadEveryRowThenDecodedAndDone() {
        Fixtures.root();
        String events = rows("gpt2-tiny", "Rows in order", "b");
        assertEquals(List.of("status", "head", "row", "row", "row", "row", "row", "status", "done"), eventNames(events), events);
        assertTrue(events.contains("<span class=\"busy\">Loading gpt2-tiny and decoding…</span>"), events);
        assertTrue(events.contains("<span class=\"ok\">All layers decoded.</span>"), events);
        assertTrue(events.contains("id=\"b-row-4\""), "rows carry their pane's id: " + events);
        assertTrue(events.matches("(?s).*\ndata: ?done\\s*$"), "done comes last: " + events);
        for (String line : events.split("\n")) {
            assertTrue(!line.startsWith("data:") || !line.endsWith(" "), "one trimmed line per payload: '" + line + "'");
        }
    }

    @Test
    void rowsReportAPromptTooLongForTheModelThenDone() {
        Fixtures.root();
        String events = rows("gpt2-tiny", "word ".repeat(200), "main");
        assertEquals(List.of("status", "error", "done"), eventNames(events), events);
        assertTrue(events.matches("(?s).*event: ?error\ndata: ?<span class=\"error\" role=\"alert\">prompt is \\d+ tokens long; "
                + "gpt2-tiny has a context of 128 tokens: shorten it</span>\n.*"), events);
    }

    @Test
    void finishedTableIsCompleteWithoutAStream() {
        Fixtures.root();
        rows("gpt2-tiny", "Finished table", "main");
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "Finished table").queryParam("pane", "a").get("/lens/table")
                .then().statusCode(200).header("HX-Push-Url", "false")
                .body(allOf(containsString("<p class=\"status\"><span class=\"ok\">All layers decoded.</span></p>"),
                        containsString("id=\"a-row-0\""), org.hamcrest.Matchers.not(containsString("sse-connect"))));
    }

    @Test
    void cellRejectsALayerOrPositionThatIsNotThere() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "The sky").queryParam("layer", "9").queryParam("pos", 0)
                .get("/lens/cell").then().statusCode(400).body("error", containsString("layer must be one of 0..4, got '9'"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "The sky").queryParam("layer", "1").queryParam("pos", 7)
                .get("/lens/cell").then().statusCode(400).body("error", containsString("pos must be a position between 0 and 1, got '7'"));
    }

    @Test
    void compareReportsABadSideNextToTheForm() {
        Fixtures.root();
        given().queryParam("a", "gpt2-tiny").queryParam("b", "nope").queryParam("prompt", "hi").get("/compare").then().statusCode(404)
                .body(allOf(containsString("unknown model &#39;nope&#39;"), containsString("name=\"a\"")));
        given().get("/compare").then().statusCode(200).body(org.hamcrest.Matchers.not(containsString("role=\"alert\"")));
    }

    @Test
    void apiDocumentsTheLensQueryParameters() {
        String doc = given().get("/q/openapi").then().statusCode(200).extract().asString();
        int lens = doc.indexOf("/api/lens:");
        assertTrue(lens >= 0, doc);
        String section = doc.substring(lens, doc.indexOf("/api/lens/", lens));
        for (String name : new String[] {"model", "prompt", "topk", "sub"}) {
            assertTrue(section.contains("name: " + name), name + " in " + section);
        }
        assertTrue(!section.contains("name: metric"), "the API takes no metric");
    }
}
