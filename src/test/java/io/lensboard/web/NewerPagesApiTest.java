package io.lensboard.web;

import static io.restassured.RestAssured.given;
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

    private static List<String> hrefs(String html, String prefix) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("href=\"(" + Pattern.quote(prefix) + "[^\"]*)\"").matcher(html);
        while (m.find()) {
            out.add(m.group(1).replace("&amp;", "&"));
        }
        return out;
    }
}
