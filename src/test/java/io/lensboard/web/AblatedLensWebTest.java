package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.lens.LensService;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Ablation in the lens (issue 24 item 4) through the web: the API, its stream and exports name the ablation; an
 * ablated lens is its own cache and single-flight key; a short link stores and restores it; the lens page's control
 * posts it and links the side-by-side with the unablated lens on the compare page.
 */
@QuarkusTest
class AblatedLensWebTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "The cat was happy. The cat";

    @Inject
    LensService lens;

    private static JsonNode api(String query) throws Exception {
        return JSON.readTree(given().urlEncodingEnabled(false).get("/api/lens?model=gpt2-tiny&prompt=" + PROMPT.replace(" ", "%20") + query)
                .then().statusCode(200).extract().asString());
    }

    @Test
    void apiNamesTheAblationAndComputesItApartFromThePlainLens() throws Exception {
        Fixtures.root();
        JsonNode plain = api("&topk=3");
        long computed = lens.computations();
        JsonNode ablated = api("&topk=3&ablate=blocks.1.hook_mlp_out,blocks.0.attn.hook_result.2&ablation=mean");
        assertEquals(computed + 1, lens.computations(), "the ablated lens is not the plain one's cached result");
        assertTrue(plain.get("ablation").isNull());
        assertEquals("{\"components\":[\"blocks.0.attn.hook_result.2\",\"blocks.1.hook_mlp_out\"],\"mode\":\"mean\"}",
                ablated.get("ablation").toString());
        for (int i = 0; i < PROMPT.split(" ").length; i++) { // the KL to the final row and its top-1's rank change with it
            JsonNode before = plain.get("layers").get(0).get("positions").get(i);
            JsonNode after = ablated.get("layers").get(0).get("positions").get(i);
            assertEquals(before.get("top"), after.get("top"), "the embeddings come before every component");
            assertEquals(before.get("entropy"), after.get("entropy"));
        }
        assertNotEquals(plain.get("layers").get(1).get("positions").get(3).get("entropy"),
                ablated.get("layers").get(1).get("positions").get(3).get("entropy"), "block 0 lost its head 2");
        api("&topk=3&ablation=mean&ablate=blocks.0.attn.hook_result.2,blocks.1.hook_mlp_out");
        assertEquals(computed + 1, lens.computations(), "the same ablation written in another order is the same key");
    }

    @Test
    void streamAndExportsNameTheAblation() {
        Fixtures.root();
        String q = "?model=gpt2-tiny&prompt=Exports%20too&ablate=blocks.2.hook_attn_out";
        String events = given().urlEncodingEnabled(false).header("Accept", "text/event-stream").get("/api/lens/stream" + q).then().statusCode(200).extract().asString();
        assertTrue(events.contains("\"ablation\":{\"components\":[\"blocks.2.hook_attn_out\"],\"mode\":\"zero\"}"), events);
        Response csv = given().urlEncodingEnabled(false).get("/api/lens/csv" + q).then().statusCode(200).extract().response();
        assertTrue(csv.asString().contains("# ablation: zero blocks.2.hook_attn_out\n"), csv.asString());
        assertTrue(csv.header("Content-Disposition").contains("lens-gpt2-tiny-zero-ablated-Exports_too-"), csv.header("Content-Disposition"));
        String json = given().urlEncodingEnabled(false).get("/api/lens/json" + q).then().statusCode(200).extract().asString();
        assertTrue(json.contains("\"mode\":\"zero\""), json);
    }

    @Test
    void shortLinkStoresTheAblationAndThePageLinksTheSideBySide() throws Exception {
        Fixtures.root();
        Response posted = given().redirects().follow(false).contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("model", "gpt2-tiny").formParam("prompt", PROMPT).formParam("metric", "prob").formParam("topk", "5")
                .formParam("ablate", "blocks.3.hook_mlp_out").formParam("ablate", "blocks.1.attn.hook_result.0")
                .formParam("ablation", "mean").post("/lens");
        assertEquals(303, posted.statusCode(), posted.asString());
        String link = java.net.URI.create(posted.header("Location")).getPath();
        Response plain = given().redirects().follow(false).contentType("application/x-www-form-urlencoded; charset=UTF-8")
                .formParam("model", "gpt2-tiny").formParam("prompt", PROMPT).formParam("metric", "prob").formParam("topk", "5")
                .post("/lens");
        assertNotEquals(link, java.net.URI.create(plain.header("Location")).getPath(), "the ablation is part of the link's content");

        String page = given().get(link).then().statusCode(200).extract().asString();
        assertTrue(page.contains("mean-ablated: 2 components"), page);
        assertTrue(page.contains("value=\"blocks.3.hook_mlp_out\" aria-label=\"blocks.3.hook_mlp_out\" title=\"blocks.3.hook_mlp_out\" checked"), page);
        assertTrue(page.contains("<option value=\"mean\" selected>"), page);
        JsonNode stored = JSON.readTree(given().get(link + "/json?metric=prob&topk=5&sub=0").then().statusCode(200).extract().asString());
        assertEquals("[\"blocks.1.attn.hook_result.0\",\"blocks.3.hook_mlp_out\"]", stored.get("ablation").get("components").toString());
        assertEquals(api("&topk=5&ablate=blocks.3.hook_mlp_out,blocks.1.attn.hook_result.0&ablation=mean").get("layers"), stored.get("layers"),
                "the short link restores the same lens");

        Matcher side = Pattern.compile("href=\"(/compare\\?[^\"]*)\"").matcher(page);
        assertTrue(side.find(), page);
        String compareUrl = side.group(1).replace("&amp;", "&");
        assertTrue(compareUrl.contains("a=gpt2-tiny&b=gpt2-tiny&") && compareUrl.contains("&ablate_b=blocks.1.attn.hook_result.0%2Cblocks.3.hook_mlp_out&ablation_b=mean")
                && !compareUrl.contains("ablate_a"), compareUrl);
        String compare = given().urlEncodingEnabled(false).get(compareUrl).then().statusCode(200).extract().asString();
        assertTrue(compare.contains("mean-ablated blocks.1.attn.hook_result.0,blocks.3.hook_mlp_out</span></h2>"), compare);
        assertTrue(compare.contains("id=\"pane-a\"") && compare.contains("id=\"pane-b\""), compare);
    }
}
