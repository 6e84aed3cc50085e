package io.lensboard.web.why;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * GET /api/attention, its safetensors export and the attention page, through HTTP: the API's patterns match the
 * independent golden (src/test/python/attention_golden.py) within 1e-5, the export holds exactly the JSON's numbers,
 * and the page draws every head and keeps its permalink's parameters.
 */
@QuarkusTest
class AttentionResourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void apiAnswersTheGoldenPatternsForStories260K() throws Exception {
        JsonNode golden = Fixtures.json(Path.of("src/test/resources/golden-attention/stories260K-prompt0.json"));
        JsonNode r = JSON.readTree(given().queryParam("model", "stories260K").queryParam("prompt", golden.get("prompt").asText())
                .get("/api/attention").then().statusCode(200).extract().asString());
        assertEquals("stories260K", r.get("model").asText());
        assertEquals("float32", r.get("dtype").asText());
        assertEquals(golden.get("ids").size(), r.get("tokens").size());
        for (int i = 0; i < golden.get("ids").size(); i++) {
            assertEquals(golden.get("ids").get(i).asLong(), r.get("tokens").get(i).get("id").asLong());
            assertTrue(r.get("tokens").get(i).has("text"));
        }
        assertEquals(5, r.get("layers").asInt());
        assertEquals(8, r.get("heads").asInt());
        JsonNode p = r.get("patterns");
        assertEquals(5, p.size());
        double worst = 0;
        for (int l = 0; l < 5; l++) {
            for (int h = 0; h < 8; h++) {
                for (int q = 0; q < golden.get("ids").size(); q++) {
                    for (int k = 0; k < golden.get("ids").size(); k++) {
                        worst = Math.max(worst, Math.abs(p.get(l).get(h).get(q).get(k).asDouble()
                                - golden.get("patterns").get(l).get(h).get(q).get(k).asDouble()));
                    }
                }
            }
        }
        assertTrue(worst <= 1e-5, "the API is " + worst + " off the golden");
    }

    @Test
    void safetensorsHoldsTheJsonPatternsAsOneFloat32Tensor() throws Exception {
        String prompt = "The cat sat on the mat.";
        JsonNode r = JSON.readTree(given().queryParam("model", "gpt2-tiny").queryParam("prompt", prompt)
                .get("/api/attention").then().statusCode(200).extract().asString());
        byte[] file = given().queryParam("model", "gpt2-tiny").queryParam("prompt", prompt).get("/api/attention.safetensors")
                .then().statusCode(200).header("Content-Disposition", org.hamcrest.Matchers.containsString(".safetensors"))
                .extract().asByteArray();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) b.getLong();
        JsonNode header = JSON.readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8));
        int layers = r.get("layers").asInt(), heads = r.get("heads").asInt(), t = r.get("tokens").size();
        JsonNode tensor = header.get("pattern");
        assertEquals("F32", tensor.get("dtype").asText());
        assertEquals(JSON.readTree("[" + layers + "," + heads + "," + t + "," + t + "]"), tensor.get("shape"));
        assertEquals(4L * layers * heads * t * t, file.length - 8 - headerLength);
        b.position(8 + headerLength);
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        assertEquals((float) r.get("patterns").get(l).get(h).get(q).get(k).asDouble(), b.getFloat(),
                                "layer " + l + " head " + h + " query " + q + " key " + k);
                    }
                }
            }
        }
    }

    @Test
    void pageDrawsEveryHeadAndKeepsItsParameters() {
        String html = given().accept("text/html").queryParam("model", "llama-tiny").queryParam("prompt", "a </script><b>x")
                .queryParam("dtype", "bfloat16").queryParam("pos", "2").get("/attention").then().statusCode(200).extract().asString();
        int maps = html.split("class=\"head-map\"", -1).length - 1;
        assertEquals(3 * 8, maps, "llama-tiny: 3 layers × 8 query heads (over 4 key/value heads)");
        assertTrue(html.contains("data-pos=\"2\""), "the focused position");
        assertTrue(html.contains("<option value=\"bfloat16\" selected>"), "the dtype is kept");
        assertTrue(html.contains("/api/attention.safetensors?model=llama-tiny&amp;dtype=bfloat16&amp;prompt="), "the export keeps the dtype");
        String data = html.substring(html.indexOf("id=\"attention-data\">"), html.indexOf("</script>", html.indexOf("id=\"attention-data\">")));
        assertFalse(data.contains("<"), "a token cannot close the data's script element");
        assertTrue(data.contains("\"·\\u003c/\",\"script\""), "the prompt's '</' is in the data, escaped");
    }

    @Test
    void pageRefusesABadPositionAndAnUnknownModelAsHtml() {
        String bad = given().accept("text/html").queryParam("model", "gpt2-tiny").queryParam("prompt", "Hello there")
                .queryParam("pos", "9").get("/attention").then().statusCode(400).contentType(org.hamcrest.Matchers.startsWith("text/html"))
                .extract().asString();
        assertTrue(bad.contains("pos must be a position between 0 and 1, got"), bad);
        assertTrue(bad.contains("Hello there"), "the form keeps the prompt");
        given().accept("text/html").queryParam("model", "no-such-model").queryParam("prompt", "x").get("/attention")
                .then().statusCode(404).contentType(org.hamcrest.Matchers.startsWith("text/html"));
    }

    @Test
    void lensPageAndCellsLinkToTheAttentionPage() {
        String cell = given().accept("text/html").queryParam("model", "gpt2-tiny").queryParam("prompt", "Hello there")
                .queryParam("layer", "1").queryParam("pos", "1").get("/lens/cell").then().statusCode(200).extract().asString();
        assertTrue(cell.contains("/attention?model=gpt2-tiny&amp;dtype=float32&amp;prompt=Hello%20there&amp;pos=1"), cell);
    }
}
