package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.Fixtures;
import io.lensboard.runs.RunStore;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 25's last four items: a tuned lens's links open the text it was evaluated on, the image figures' forms offer
 * hybrids, the alignments form offers only what reads text, and a space joins a stem and a stack whatever their source.
 */
@QuarkusTest
class NewerPagesLeftoversTest {

    @Inject
    DataSource db;

    @Inject
    ObjectMapper json;

    @Test
    void aTunedLensResultKeepsItsHeldOutPromptAndLinksThroughItWhileOlderResultsFallBack() throws Exception {
        Fixtures.root();
        String id = RunsApi.start("tuned-lens", "gpt2-tiny", Map.of("steps", 2, "tokens", 256, "context", 64));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        String prompt = run.getString("result.prompt");
        assertNotNull(prompt, run.prettify());
        assertFalse(prompt.isBlank(), "the held-out text's opening");
        assertTrue(builtInCorpus().contains(prompt), "text of the corpus the lens was evaluated on: '" + prompt + "'");

        String page = given().accept("text/html").get("/runs/" + id).then().statusCode(200).extract().asString();
        String encoded = "prompt=" + URLEncoder.encode(prompt, StandardCharsets.UTF_8);
        List<String> lens = hrefs(page, "/lens?");
        List<String> compare = hrefs(page, "/compare?");
        assertEquals(1, lens.size(), page);
        assertTrue(lens.get(0).endsWith(encoded), lens.get(0) + " should end with " + encoded);
        assertTrue(compare.get(0).endsWith(encoded) && compare.get(0).contains("db=tuned%3A"), compare.get(0));
        assertTrue(page.contains("<q class=\"held-out\">"), "the page names the text its links open");
        assertFalse(page.contains("how the built-in training stories begin"), "no fixed prompt where the run kept its own");
        given().urlEncodingEnabled(false).accept("text/html").get(lens.get(0)).then().statusCode(200)
                .body(containsString("Decoder: the tuned lens " + run.getString("result.lens")));

        // a result stored before the prompt was kept: the links fall back to how the built-in stories begin
        ObjectNode older = (ObjectNode) json.readTree(json.writeValueAsString(run.getMap("result")));
        older.remove("prompt");
        new RunStore(db, json).result(id, older);
        String old = given().accept("text/html").get("/runs/" + id).then().statusCode(200).extract().asString();
        assertTrue(hrefs(old, "/lens?").get(0).endsWith("prompt=Once+upon+a+time"), hrefs(old, "/lens?").toString());
        assertTrue(old.contains("how the built-in training stories begin"), old);
    }

    @Test
    void theImageFiguresFormsOfferViTsAndHybridsIncludingOnesInThePoolAndNoTextModel() throws Exception {
        Fixtures.root();
        String pooled = "vit-tiny+gpt2-tiny:untrained"; // no catalog rule pairs an untrained stack: only the pool knows it
        given().urlEncodingEnabled(false).post("/api/models/load?model=" + URLEncoder.encode(pooled, StandardCharsets.UTF_8))
                .then().statusCode(202);
        awaitLoaded(pooled);
        for (String path : List.of("/images/grid", "/images/compare")) {
            String page = given().accept("text/html").get(path).then().statusCode(200).extract().asString();
            List<String> offered = datalist(page, "image-models");
            assertTrue(offered.contains("vit-tiny"), path + ": " + offered);
            assertTrue(offered.contains("vit-tiny+gpt2-tiny"), path + " offers the catalog's hybrid: " + offered);
            assertTrue(offered.contains(pooled), path + " offers the pool's hybrid: " + offered);
            assertTrue(offered.stream().allMatch(m -> m.startsWith("vit") || m.startsWith("hf:google/vit")),
                    path + " offers only what has a ViT's stem: " + offered);
        }
        String compare = given().accept("text/html").get("/images/compare").then().statusCode(200).extract().asString();
        assertTrue(compare.contains("name=\"vit\" list=\"image-models\" value=\"vit-tiny\""), compare);
        Matcher hybrid = Pattern.compile("name=\"hybrid\" list=\"image-models\" value=\"([^\"]*)\"").matcher(compare);
        assertTrue(hybrid.find() && hybrid.group(1).contains("+"), "the hybrid field starts on a listed hybrid: " + compare);
    }

    @Test
    void theAlignmentsFormOffersTextModelsAndTextSearchesOnly() {
        Fixtures.root();
        String page = given().accept("text/html").get("/alignments").then().statusCode(200).extract().asString();
        List<String> models = options(page, "models");
        assertTrue(models.contains("gpt2-tiny") && models.contains("gpt2-tiny:untrained"), models.toString());
        assertTrue(models.stream().noneMatch(m -> m.startsWith("vit") || m.contains("+") || m.startsWith("hf:google/vit")),
                "no image model: " + models);
        List<String> kinds = options(page, "kind");
        assertTrue(kinds.contains("greedy") && kinds.contains("exhaustive"), kinds.toString());
        assertFalse(kinds.contains("image-ascent"), "an image search has its own form at /images/grid: " + kinds);
        assertTrue(page.contains("href=\"/images/grid\""), "which says where image tables start");
        // a refused form is the same form
        String refused = given().accept("text/html").formParam("kind", "greedy").formParam("layers", "1").formParam("features", "[:, :, 0]")
                .post("/alignments").then().statusCode(400).extract().asString();
        assertEquals(models, options(refused, "models"));
    }

    @Test
    void aSpaceJoinsAStemAndAStackWhateverTheirSource() {
        Fixtures.root();
        for (String hybrid : List.of("vit-tiny+hf:openai-community/gpt2", "hf:google/vit-base-patch16-224+gpt2-tiny",
                "hf:google/vit-base-patch16-224+gpt2-tiny:untrained", "vit-tiny+gpt2-tiny")) {
            String escaped = hybrid.replace("+", "%2B");
            String unescaped = hybrid; // '+' in a query string is a space
            String canonical = given().urlEncodingEnabled(false).get("/api/models/status?model=" + escaped).then().statusCode(200)
                    .extract().path("id");
            assertEquals(hybrid, canonical);
            given().urlEncodingEnabled(false).get("/api/models/status?model=" + unescaped).then().statusCode(200)
                    .body("id", equalTo(canonical));
        }
        // two text models, local or not, stay refused with what to change
        for (String twoText : List.of("stories260K gpt2-tiny", "stories260K hf:openai-community/gpt2")) {
            given().contentType("application/json").body(Map.of("kind", "image-ascent", "model", twoText, "params", Map.of()))
                    .post("/api/runs").then().statusCode(400).body("error", containsString("needs a ViT as its stem"));
        }
        // a hub name with a space and no local model after it is still refused for its name
        given().urlEncodingEnabled(false).get("/api/models/status?model=hf:a/b+nosuchmodel").then().statusCode(400)
                .body("error", containsString("repository 'a/b nosuchmodel'"));
    }

    private static String builtInCorpus() throws Exception {
        try (InputStream in = NewerPagesLeftoversTest.class.getResourceAsStream("/corpora/tinystories-sampled.txt")) {
            assertNotNull(in, "the built-in corpus");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void awaitLoaded(String model) throws InterruptedException {
        Instant limit = Instant.now().plus(Duration.ofMinutes(2));
        String state = "";
        while (Instant.now().isBefore(limit)) {
            state = given().queryParam("model", model).get("/api/models/status").then().statusCode(200).extract().path("state");
            if (state.equals("loaded") || state.equals("failed")) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals("loaded", state, model);
    }

    private static List<String> datalist(String html, String id) {
        int at = html.indexOf("<datalist id=\"" + id + "\"");
        assertTrue(at >= 0, "a datalist " + id);
        return values(html.substring(at, html.indexOf("</datalist>", at)));
    }

    private static List<String> options(String html, String name) {
        int at = html.indexOf("<select name=\"" + name + "\"");
        assertTrue(at >= 0, "a select " + name);
        return values(html.substring(at, html.indexOf("</select>", at)));
    }

    private static List<String> values(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<option value=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String> hrefs(String html, String prefix) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("href=\"(" + Pattern.quote(prefix) + "[^\"]*)\"").matcher(html);
        while (m.find()) {
            out.add(m.group(1).replace("&amp;", "&"));
        }
        return out;
    }
}
