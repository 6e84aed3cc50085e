package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Short links: a form post of any length stores the analysis; the page and its fragments name it, never the prompt. */
@QuarkusTest
class ShortLinksTest {
    private static final Pattern URLS = Pattern.compile("(?:sse-connect|hx-get|data-api|data-cell)=\"([^\"]*)\"");

    @Inject
    DataSource db;

    /** POSTs the prompt form and returns the 303's location. */
    private static String post(String path, String... form) {
        var request = given().redirects().follow(false).contentType("application/x-www-form-urlencoded; charset=UTF-8");
        for (int i = 0; i < form.length; i += 2) {
            request = request.formParam(form[i], form[i + 1]);
        }
        Response r = request.post(path);
        assertEquals(303, r.statusCode(), r.asString());
        return java.net.URI.create(r.header("Location")).getPath();
    }

    /** The page's fragment, stream, chart and cell URLs, unescaped. */
    private static List<String> fragmentUrls(String page) {
        List<String> urls = new ArrayList<>();
        Matcher m = URLS.matcher(page);
        while (m.find()) {
            urls.add(m.group(1).replace("&amp;", "&"));
        }
        return urls;
    }

    private static String attribute(String page, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(page);
        assertTrue(m.find(), name + " in " + page);
        return m.group(1).replace("&amp;", "&");
    }

    @Test
    void longPromptOpensByPostAndItsStreamEndsWithTheContextLimit() {
        Fixtures.root();
        String prompt = "word ".repeat(2000); // 10,000 characters, 2,000 tokens: gpt2-tiny's n_ctx is 128
        String link = post("/lens", "model", "gpt2-tiny", "prompt", prompt);
        assertTrue(link.matches("/lens/[\\w-]+"), link);
        String page = given().get(link).then().statusCode(200).extract().asString();
        List<String> urls = fragmentUrls(page);
        assertTrue(urls.size() >= 3, "stream, controls, chart and cell URLs: " + urls);
        for (String url : urls) {
            assertFalse(url.contains("prompt") || url.contains("word"), "no prompt in a fragment URL: " + url);
            assertTrue(url.length() < 200, url);
        }
        String events = given().get(attribute(page, "sse-connect")).then().statusCode(200).extract().asString();
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^event: ?(\\w+)").matcher(events);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertEquals(List.of("status", "failed", "done"), names, events);
        assertTrue(events.matches("(?s).*event: ?failed\ndata: ?<span class=\"error\" role=\"alert\">prompt is 2001 tokens long; "
                + "gpt2-tiny has a context of 128 tokens: shorten it</span>\n.*"), events); // "word" and " word" x 1999, " "
    }

    @Test
    void shortLinkIsReadFromTheDatabase() throws Exception {
        Fixtures.root();
        // As if stored before a restart: the row alone, nothing in the service's memory (the test database outlives a run).
        String id = "before-restart-" + System.nanoTime();
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO analyses (id, kind, model, model_b, prompt, metric, topk, sub, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            Object[] row = {id, "lens", "gpt2-tiny", null, "Stored before a restart", "entropy", 3, false,
                    Timestamp.from(Instant.now())};
            for (int i = 0; i < row.length; i++) {
                st.setObject(i + 1, row[i]);
            }
            st.executeUpdate();
        }
        String page = given().get("/lens/" + id).then().statusCode(200).extract().asString();
        assertTrue(page.contains("Stored before a restart") && page.contains("data-metric=\"entropy\""), page);
        String rows = attribute(page, "sse-connect");
        assertEquals("/lens/" + id + "/rows?metric=entropy&topk=3&sub=0&pane=main", rows);
        String events = given().get(rows).then().statusCode(200).extract().asString();
        assertTrue(events.trim().endsWith("done") && events.contains("id=\"main-row-4\""), events);
        given().queryParam("layer", "2").queryParam("pos", 1).get(attribute(page, "data-cell")).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("blocks.1.hook_resid_post, position 1"));
        given().get("/lens/no-such-link").then().statusCode(404);
        String broken = given().get("/lens/no-such-link/rows").then().statusCode(200).extract().asString();
        assertTrue(broken.contains("no stored analysis &#39;no-such-link&#39;") && broken.trim().endsWith("done"),
                "an unknown link's stream says so, then done: " + broken);
    }

    @Test
    void queryStringPageAndItsShortLinkRenderTheSame() {
        Fixtures.root();
        String byQuery = given().queryParam("model", "gpt2-tiny").queryParam("prompt", "Same page twice").get("/lens")
                .then().statusCode(200).extract().asString();
        String link = post("/lens", "model", "gpt2-tiny", "prompt", "Same page twice");
        assertTrue(byQuery.contains("sse-connect=\"" + link + "/rows?"), "the query-string page names the same analysis");
        assertEquals(byQuery, given().get(link).then().statusCode(200).extract().asString());
    }

    @Test
    void compareFormPostOpensTheComparisonsShortLink() {
        Fixtures.root();
        String link = post("/compare", "a", "gpt2-tiny", "b", "gpt2-tiny:untrained", "prompt", "Side by side", "metric", "rank");
        assertTrue(link.matches("/compare/[\\w-]+"), link);
        String page = given().get(link).then().statusCode(200).extract().asString();
        assertTrue(page.contains("id=\"pane-a\"") && page.contains("id=\"pane-b\"") && page.contains("Side by side"), page);
        for (String url : fragmentUrls(page)) {
            assertFalse(url.contains("prompt") || url.contains("Side"), url);
        }
        given().get(attribute(page, "hx-get")).then().statusCode(200).body(org.hamcrest.Matchers.containsString("data-metric=\"rank\""));
    }

    @Test
    void crlfInAFormPostOrTheApiGivesTheTokensOfNewline() {
        Fixtures.root();
        List<Object> lf = given().queryParam("model", "gpt2-tiny").queryParam("prompt", "a\nb").get("/api/lens")
                .then().statusCode(200).extract().path("tokens.id");
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "a\r\nb").get("/api/lens").then().statusCode(200)
                .body("prompt", org.hamcrest.Matchers.equalTo("a\nb")).body("tokens.id", org.hamcrest.Matchers.equalTo(lf));
        String link = post("/lens", "model", "gpt2-tiny", "prompt", "a\r\nb");
        String page = given().get(link).then().statusCode(200).extract().asString();
        given().get(attribute(page, "data-api")).then().statusCode(200)
                .body("prompt", org.hamcrest.Matchers.equalTo("a\nb")).body("tokens.id", org.hamcrest.Matchers.equalTo(lf));
        assertEquals(link, post("/lens", "model", "gpt2-tiny", "prompt", "a\nb"), "one analysis, one link");
    }
}
