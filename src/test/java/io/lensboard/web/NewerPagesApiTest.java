package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Issue 25's API-visible fixes on the newer pages: escaped model ids in links, the lens CSV's header, model lists per analysis. */
@QuarkusTest
class NewerPagesApiTest {

    @Test
    void hybridImagePagesDownloadLinksEscapeTheIdAndAnswer() {
        Fixtures.root();
        String html = given().accept("text/html").queryParam("model", "vit-tiny+gpt2-tiny").get("/images/builtin:noise")
                .then().statusCode(200).extract().asString();
        List<String> links = hrefs(html, "/api/images/builtin:noise/activations");
        assertEquals(2, links.size(), "the JSON and the safetensors link: " + links);
        for (String link : links) {
            assertTrue(link.contains("model=vit-tiny%2Bgpt2-tiny"), link);
            // the link exactly as the page writes it, not re-encoded by the client
            given().urlEncodingEnabled(false).get(link).then().statusCode(200);
        }
    }

    @Test
    void anUnescapedPlusBetweenTwoKnownIdsIsTheHybrid() {
        Fixtures.root();
        given().urlEncodingEnabled(false).get("/api/images/builtin:noise/activations?model=vit-tiny+gpt2-tiny").then()
                .statusCode(200).body("model", org.hamcrest.Matchers.equalTo("vit-tiny+gpt2-tiny"));
        given().urlEncodingEnabled(false).accept("text/html").get("/images/builtin:noise?model=vit-tiny+gpt2-tiny").then()
                .statusCode(200).body(containsString("model=vit-tiny%2Bgpt2-tiny"));
        // two words that are no hybrid still say which id is wrong
        given().urlEncodingEnabled(false).get("/api/images/builtin:noise/activations?model=vit-tiny+nosuchmodel").then()
                .statusCode(404).body("error", containsString("nosuchmodel"));
    }

    @Test
    void lensCsvNamesEveryColumnOnceKeepingTheFixedOnesFirst() {
        Fixtures.root();
        String[] lines = given().queryParam("model", "gpt2-tiny").queryParam("prompt", "The sky is").queryParam("topk", 2)
                .get("/api/lens/csv").then().statusCode(200).extract().asString().split("\n");
        List<String> header = List.of(lines[0].split(","));
        assertEquals(List.of("layer", "hook", "position", "input_id", "input_text", "top1_id", "top1_text", "top1_prob",
                "top1_logit", "entropy", "kl_final", "kl_input", "rank_final_top1", "rank_next_token", "rank_input_token",
                "k1_id", "k1_text", "k1_prob", "k1_logit", "k2_id", "k2_text", "k2_prob", "k2_logit"), header);
        assertEquals(header.size(), new java.util.HashSet<>(header).size(), "no name twice");
        assertTrue(List.of(lines).stream().noneMatch(l -> l.startsWith("# decoder")), "the logit lens is the default, not named");
    }

    @Test
    void tunedLensCsvNamesItsDecoderInItsCommentLines() {
        Fixtures.root();
        String csv = given().queryParam("model", "gpt2-tiny").queryParam("prompt", "The sky is").queryParam("decoder", "tuned:gpt2-tiny")
                .get("/api/lens/csv").then().statusCode(200).extract().asString();
        assertTrue(csv.contains("\n# model: gpt2-tiny\n") && csv.contains("\n# decoder: tuned:gpt2-tiny\n"), csv);
    }

    @Test
    void eachRunFormOffersOnlyTheModelsThatCanRunItsKind() {
        Fixtures.root();
        String page = given().accept("text/html").get("/runs").then().statusCode(200).extract().asString();
        List<String> imageAscent = options(form(page, "image-ascent"), "model");
        assertEquals("vit-tiny", imageAscent.get(0), "a model that works is preselected: " + imageAscent);
        assertTrue(imageAscent.contains("vit-tiny+gpt2-tiny") && !imageAscent.contains("gpt2-tiny"), imageAscent.toString());
        assertTrue(options(form(page, "image-reconstruction"), "model").stream().allMatch(m -> m.startsWith("vit") || m.startsWith("hf:google/vit")));
        List<String> reconstruction = options(form(page, "reconstruction"), "model");
        assertTrue(reconstruction.contains("gpt2-tiny") && reconstruction.stream().noneMatch(m -> m.contains("vit")), reconstruction.toString());
    }

    @Test
    void runFormsShowEachParametersHelpAsTextAndOfferTheCorpora() {
        Fixtures.root();
        String tuned = form(given().accept("text/html").get("/runs").then().statusCode(200).extract().asString(), "tuned-lens");
        assertTrue(tuned.contains("<small class=\"help\" id=\"help-tuned-lens-corpus\">the corpus to train on"), tuned);
        assertTrue(tuned.contains("aria-describedby=\"help-tuned-lens-corpus\""), tuned);
        assertTrue(tuned.contains("list=\"choices-tuned-lens-corpus\"") && tuned.contains("<option value=\"tinystories-sampled\">"), tuned);
    }

    @Test
    void textPagesOfferNoImageModelAndAViTIsSentToTheImages() {
        Fixtures.root();
        String studies = given().accept("text/html").get("/studies").then().statusCode(200).extract().asString();
        assertTrue(options(studies, "models").contains("gpt2-tiny"));
        assertTrue(options(studies, "models").stream().noneMatch(m -> m.contains("vit")), studies);
        String compare = given().accept("text/html").get("/compare").then().statusCode(200).extract().asString();
        assertTrue(options(compare, "a").stream().noneMatch(m -> m.contains("vit")) && options(compare, "a").contains("gpt2-tiny"));
        String home = given().accept("text/html").get("/").then().statusCode(200).extract().asString();
        assertTrue(home.contains("<a href=\"/images\" title=\"reads images: pick an image, then this model\">vit-tiny</a>"), home);
        assertTrue(options(home, "model").stream().noneMatch(m -> m.contains("vit")), "the prompt box offers text models");
        String lens = given().accept("text/html").queryParam("model", "vit-tiny").queryParam("prompt", "The sky").get("/lens")
                .then().statusCode(422).body(containsString("reads images, not text")).extract().asString();
        assertTrue(lens.contains("<a href=\"/images\">pick an image</a>") && !lens.contains("{id}") && !lens.contains("class=\"stream\""), lens);
    }

    @Test
    void aStudysRunsAreListedUnderTheirStudyWithAHumanTimestamp() {
        Fixtures.root();
        String id = given().contentType("application/json").body(java.util.Map.of("kind", "reconstruction", "models", List.of("gpt2-tiny"),
                        "blocks", List.of(1), "lm_head", List.of(true), "seeds", List.of(0, 1),
                        "params", java.util.Map.of("prompt", "The sky", "steps", 2, "decode_every", 1)))
                .post("/api/studies").then().statusCode(201).extract().path("id");
        String runs = given().accept("text/html").get("/runs").then().statusCode(200).extract().asString();
        int heading = runs.indexOf("reconstruction study <a href=\"/studies/" + id + "\">" + id + "</a>: 2 of its runs");
        assertTrue(heading > 0, runs);
        String studies = given().accept("text/html").get("/studies").then().statusCode(200).extract().asString();
        assertTrue(Pattern.compile("<time datetime=\"[0-9T:.\\-]+Z\">\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d(:\\d\\d)? UTC</time>")
                .matcher(studies).find(), studies);
    }

    @Test
    void aTunedLensResultLinksTheLensPageAndLogitVsTunedThroughIt() {
        Fixtures.root();
        String id = RunsApi.start("tuned-lens", "gpt2-tiny", java.util.Map.of("steps", 2, "tokens", 256, "context", 64));
        io.restassured.path.json.JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        String lens = run.getString("result.lens");
        String page = given().accept("text/html").get("/runs/" + id).then().statusCode(200).extract().asString();
        List<String> lensLinks = hrefs(page, "/lens?");
        List<String> compareLinks = hrefs(page, "/compare?");
        assertEquals(1, lensLinks.size(), page);
        assertTrue(lensLinks.get(0).contains("decoder=tuned%3A" + lens), lensLinks.toString());
        assertTrue(compareLinks.get(0).contains("da=logit") && compareLinks.get(0).contains("db=tuned%3A" + lens), compareLinks.toString());
        given().urlEncodingEnabled(false).accept("text/html").get(lensLinks.get(0)).then().statusCode(200)
                .body(containsString("Decoder: the tuned lens " + lens));
        given().urlEncodingEnabled(false).accept("text/html").redirects().follow(true).get(compareLinks.get(0)).then().statusCode(200);
    }

    @Test
    void theImagesPageListsUploadsNewestFirstAndAnImageOffersItsRuns() throws Exception {
        byte[] png = freshPng(); // an image no other test uploaded: uploading one again keeps its first upload's time
        String location = given().redirects().follow(false).multiPart("file", "sample.png", png, "image/png").post("/images")
                .then().statusCode(303).extract().header("Location");
        String upload = location.substring(location.lastIndexOf('/') + 1);
        String images = given().accept("text/html").get("/images").then().statusCode(200).extract().asString();
        List<String> listed = hrefs(images, "/images/").stream().filter(h -> !h.contains("builtin:") && !h.contains("grid")
                && !h.contains("compare")).toList();
        assertEquals("/images/" + upload, listed.get(0), "the newest upload first: " + listed);

        String page = given().accept("text/html").queryParam("model", "vit-tiny").get("/images/" + upload)
                .then().statusCode(200).extract().asString();
        assertTrue(page.contains("<input type=\"hidden\" name=\"start\" value=\"image:" + upload + "\">")
                && page.contains("feature map from this image"), page);
        assertTrue(page.contains("<input type=\"hidden\" name=\"target\" value=\"image:" + upload + "\">")
                && page.contains("reconstruct this image"), page);
        // the reconstruct form as the page posts it
        String run = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("kind", "image-reconstruction").formParam("model", "vit-tiny").formParam("target", "image:" + upload)
                .formParam("layer", "1").formParam("steps", "2").post("/runs").then().statusCode(303).extract().header("Location");
        String runId = run.substring(run.lastIndexOf('/') + 1);
        assertEquals("image:" + upload, RunsApi.run(runId).getString("params.target"));
        RunsApi.finished(runId);
    }

    @Test
    void aComparisonsShortLinkTakesTheColourFromItsUrl() {
        Fixtures.root();
        String location = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("a", "gpt2-tiny").formParam("b", "gpt2-tiny:untrained").formParam("prompt", "The sky is")
                .formParam("metric", "prob").post("/compare").then().statusCode(303).extract().header("Location");
        String page = given().accept("text/html").queryParam("metric", "entropy").get(location).then().statusCode(200)
                .extract().asString();
        assertTrue(page.contains("<option value=\"entropy\" selected>"), page);
        assertTrue(page.contains("metric=entropy") && !page.contains("metric=prob&"), "both panes' fragments coloured by entropy");
        given().accept("text/html").get(location).then().statusCode(200).body(containsString("<option value=\"prob\" selected>"));
        given().accept("text/html").queryParam("metric", "colour").get(location).then().statusCode(400)
                .body(containsString("metric must be one of"));
    }

    /** The start form of {@code kind} on the runs page. */
    private static String form(String page, String kind) {
        int at = page.indexOf("<code>" + kind + "</code>");
        assertTrue(at > 0, "a form for " + kind);
        return page.substring(at, page.indexOf("</form>", at));
    }

    /** The option values of the first select named {@code name}. */
    private static List<String> options(String html, String name) {
        int at = html.indexOf("<select name=\"" + name + "\"");
        assertTrue(at >= 0, "a select " + name);
        String select = html.substring(at, html.indexOf("</select>", at));
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<option value=\"([^\"]*)\"").matcher(select);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** A 32 × 32 PNG of random grey levels. */
    private static byte[] freshPng() throws java.io.IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.util.Random random = new java.util.Random();
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int g = random.nextInt(256);
                image.setRGB(x, y, new java.awt.Color(g, g, g).getRGB());
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
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
