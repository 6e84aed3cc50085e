package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GET /api/attribution and its page: the issue's fields, Σ contributions + bias = logit, that logit being the one
 * GET /api/lens reports for the cell, exports, the lens cell's "why this token?" link, and the page.
 */
@QuarkusTest
class AttributionApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "The cat was happy. The cat";

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny", "stories260K"})
    void explainsTheLensCellItIsAskedAbout(String model) throws Exception {
        Fixtures.root();
        JsonNode lens = read(given().queryParam("model", model).queryParam("prompt", PROMPT).queryParam("topk", 2)
                .get("/api/lens").then().statusCode(200).extract().asString());
        int layer = 2;
        int pos = lens.get("tokens").size() - 1;
        JsonNode top = lens.get("layers").get(layer).get("positions").get(pos).get("top");
        JsonNode a = read(given().queryParam("model", model).queryParam("prompt", PROMPT).queryParam("pos", pos)
                .queryParam("token", top.get(0).get("id").asText()).queryParam("against", top.get(1).get("id").asText())
                .queryParam("layer", layer).queryParam("topk", 3).get("/api/attribution").then().statusCode(200).extract().asString());
        assertEquals(List.of("model", "dtype", "tokens", "pos", "layer", "token", "against", "logit", "bias", "components"),
                names(a));
        assertEquals(List.of("name", "layer", "head", "contribution", "promotes", "suppresses"), names(a.get("components").get(0)));
        assertEquals(List.of("id", "text", "value"), names(a.get("components").get(0).get("promotes").get(0)));
        assertEquals(3, a.get("components").get(0).get("suppresses").size());
        assertEquals(model, a.get("model").asText());
        assertEquals(pos, a.get("pos").asInt());
        assertEquals(layer, a.get("layer").asInt());
        assertEquals(top.get(1).get("text").asText(), a.get("against").get("text").asText());
        assertEquals(top.get(0).get("logit").asDouble() - top.get(1).get("logit").asDouble(), a.get("logit").asDouble(), 1e-5,
                "the lens's logit difference at the cell");
        double sum = a.get("bias").asDouble();
        for (JsonNode c : a.get("components")) {
            sum += c.get("contribution").asDouble();
        }
        assertEquals(a.get("logit").asDouble(), sum, 1e-4, "Σ contributions + bias");
        JsonNode last = a.get("components").get(a.get("components").size() - 1);
        assertEquals("blocks.1.hook_mlp_out", last.get("name").asText());
        assertTrue(last.get("head").isNull());
        assertEquals("hook_embed", a.get("components").get(0).get("name").asText());
        assertTrue(a.get("components").get(0).get("layer").isNull());
    }

    @Test
    void defaultsToTheOutputRowWithoutAgainstAndExportsCsvAndJson() throws Exception {
        Fixtures.root();
        JsonNode a = read(given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("pos", 6)
                .queryParam("token", " cat").get("/api/attribution").then().statusCode(200).extract().asString());
        assertEquals(4, a.get("layer").asInt());
        assertTrue(a.get("against").isNull());
        assertEquals(3797, a.get("token").get("id").asInt());
        assertEquals(2 + 4 * (4 + 2), a.get("components").size(), "embeddings, then 4 heads, b_O and the MLP per block");
        assertEquals("blocks.0.attn.hook_result.3", a.get("components").get(5).get("name").asText());
        assertEquals("blocks.0.attn.b_O", a.get("components").get(6).get("name").asText());
        assertEquals(5, a.get("components").get(0).get("promotes").size(), "topk defaults to 5");

        String csv = given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("pos", 6)
                .queryParam("token", " cat").get("/api/attribution/csv").then().statusCode(200)
                .header("Content-Disposition", containsString("attribution-gpt2-tiny-pos6-3797-")).extract().asString();
        String[] lines = csv.split("\n");
        assertEquals("component,layer,head,contribution,promotes,suppresses", lines[0]);
        assertTrue(lines[1].startsWith("hook_embed,,," + a.get("components").get(0).get("contribution").asDouble()), lines[1]);
        assertEquals(1 + a.get("components").size(), csv.lines().filter(l -> !l.startsWith("#")).count());
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("pos", 6).queryParam("token", " cat")
                .get("/api/attribution/json").then().statusCode(200).header("Content-Disposition", containsString(".json"))
                .body("logit", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void attributesInHalfPrecisionAndRefusesAnImageStem() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "bfloat16").queryParam("prompt", PROMPT).queryParam("pos", 1)
                .queryParam("token", "0").get("/api/attribution").then().statusCode(200)
                .body("dtype", org.hamcrest.Matchers.equalTo("bfloat16"));
        given().queryParam("model", "vit-tiny+gpt2-tiny").queryParam("prompt", PROMPT).queryParam("pos", 1)
                .queryParam("token", "0").get("/api/attribution").then().statusCode(422)
                .body("error", containsString("takes images (pixel_values), not text"));
    }

    @Test
    void theLensCellLinksToThePageWhichDrawsTheChartAndTheNumbers() {
        Fixtures.root();
        String cell = given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("layer", "2")
                .queryParam("pos", "3").get("/lens/cell").then().statusCode(200).extract().asString();
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"(/attribution\\?[^\"]+)\"").matcher(cell);
        assertTrue(link.find(), cell);
        String href = link.group(1).replace("&amp;", "&");
        assertTrue(href.contains("model=gpt2-tiny") && href.contains("pos=3") && href.contains("layer=2"), href);
        String page = given().urlEncodingEnabled(false).get(href).then().statusCode(200).extract().asString();
        assertTrue(page.contains("canvas class=\"attribution-chart\""), page);
        assertTrue(page.contains("<code>blocks.1.attn.hook_result.3</code>"), "the numbers' table");
        assertTrue(page.contains("/api/attribution/csv?"), "the CSV export");
        assertTrue(page.contains("id=\"attribution-data\""), "the chart's data");

        String refused = given().accept("text/html").queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT)
                .queryParam("pos", "99").queryParam("token", " cat").get("/attribution").then().statusCode(400)
                .contentType(containsString("text/html")).extract().asString();
        assertTrue(refused.contains("pos must be a position between 0 and 6"), refused);
        assertTrue(refused.contains("value=\"99\""), "the form keeps its values");
    }

    @Test
    void documentsTheApiAndItsParametersInOpenApi() throws Exception {
        JsonNode api = read(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        List<String> params = new ArrayList<>();
        api.at("/paths/~1api~1attribution/get/parameters").forEach(p -> params.add(p.get("name").asText()));
        assertEquals(List.of("against", "dtype", "layer", "model", "pos", "prompt", "token", "topk"),
                params.stream().distinct().sorted().toList()); // a record component with @Parameter is listed twice (field and accessor)
        assertTrue(api.at("/paths/~1api~1attribution~1csv/get").isObject(), "the CSV export");
    }

    private static JsonNode read(String body) throws Exception {
        return JSON.readTree(body);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
