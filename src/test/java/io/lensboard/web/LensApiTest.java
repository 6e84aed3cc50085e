package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.path.json.config.JsonPathConfig.NumberReturnType;
import org.junit.jupiter.api.BeforeAll;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@QuarkusTest
class LensApiTest {

    @BeforeAll
    static void numbersAsDoubles() {
        RestAssured.config = RestAssured.config().jsonConfig(JsonConfig.jsonConfig().numberReturnType(NumberReturnType.DOUBLE));
    }

    @Test
    void listsFixtureModelsWithTheirDimensions() {
        Fixtures.root();
        given().get("/api/models").then().statusCode(200)
                .body("id", hasItems("gpt2-tiny", "gpt2-tiny:untrained", "llama-tiny", "gpt2-small-config:untrained"))
                .body("find { it.id == 'gpt2-tiny' }.architecture", equalTo("gpt2"))
                .body("find { it.id == 'gpt2-tiny' }.layers", equalTo(4))
                .body("find { it.id == 'gpt2-tiny' }.d_model", equalTo(64))
                .body("find { it.id == 'gpt2-tiny' }.vocab_size", equalTo(50257))
                .body("find { it.id == 'gpt2-tiny' }.device", equalTo("cpu"))
                .body("find { it.id == 'gpt2-small-config:untrained' }.layers", equalTo(12));
    }

    @Test
    void logProbOfTheNextTokenAgreesWithItsRankAndTopK() throws Exception {
        Fixtures.root();
        JsonNode lens = new com.fasterxml.jackson.databind.ObjectMapper().readTree(given().queryParam("model", "stories260K")
                .queryParam("prompt", "Once upon a time, there was a little girl named Lily.").queryParam("topk", 50).get("/api/lens").then().statusCode(200).extract().asString());
        int checked = 0;
        for (JsonNode layer : lens.get("layers")) {
            JsonNode positions = layer.get("positions");
            assertTrue(positions.get(positions.size() - 1).get("log_prob_next_token").isNull(), "no next token at the end");
            for (int i = 0; i + 1 < positions.size(); i++) {
                JsonNode p = positions.get(i);
                double lp = p.get("log_prob_next_token").asDouble();
                assertTrue(lp <= 0, "a log probability: " + lp);
                long rank = p.get("rank_next_token").asLong();
                if (rank <= 50) { // the next token is among the top-k, at its rank: the same probability
                    assertEquals(lens.get("tokens").get(i + 1).get("id").asLong(), p.get("top").get((int) rank - 1).get("id").asLong());
                    assertEquals(p.get("top").get((int) rank - 1).get("prob").asDouble(), Math.exp(lp), 1e-6);
                    checked++;
                }
            }
        }
        assertTrue(checked > 0, "some layer has the next token in its top 50");
    }

    @Test
    void lensMatchesGoldenThroughTheApi() {
        JsonNode golden = Fixtures.json(Fixtures.dir("gpt2-tiny").resolve("golden/prompt0.json"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", golden.get("prompt").asText()).queryParam("topk", 3)
                .get("/api/lens").then().statusCode(200)
                .body("model", equalTo("gpt2-tiny"))
                .body("tokens.id", equalTo(java.util.List.of(464, 6766, 318, 4171, 13)))
                .body("tokens[1].text", equalTo(" sky"))
                .body("layers.size()", equalTo(5))
                .body("layers[0].hook", equalTo("blocks.0.hook_resid_pre"))
                .body("layers[4].hook", equalTo("blocks.3.hook_resid_post"))
                .body("layers[2].positions[0].top.size()", equalTo(3))
                .body("layers[2].positions[0].top[0].id", equalTo(golden.at("/lens/top1_id/2/0").asInt()))
                .body("layers[2].positions[0].top[0].prob", closeTo(golden.at("/lens/top1_prob/2/0").asDouble(), 1e-4))
                .body("layers[3].positions[1].kl_final", closeTo(golden.at("/lens/kl_final/3/1").asDouble(), 1e-3))
                .body("layers[3].positions[1].rank_next_token", equalTo(golden.at("/lens/rank_next_token/3/1").asInt()))
                .body("layers[3].positions[4].rank_next_token", nullValue());
    }

    @Test
    void llamaTokensIncludeTheBosTheTokenizerAdds() {
        Fixtures.dir("stories260K/hf");
        given().queryParam("model", "hf").queryParam("prompt", "Once upon a time").get("/api/lens").then().statusCode(200)
                .body("tokens[0].id", equalTo(1))
                .body("tokens[0].text", equalTo("<s>"))
                .body("layers.size()", equalTo(6));
    }

    @Test
    void subBlockRowsSitBetweenLayers() {
        Fixtures.root();
        given().queryParam("model", "llama-tiny").queryParam("prompt", "hello world").queryParam("sub", "1")
                .get("/api/lens").then().statusCode(200)
                .body("layers.size()", equalTo(7))
                .body("layers[1].layer", equalTo(0.5))
                .body("layers[1].hook", equalTo("blocks.0.hook_resid_mid"))
                .body("layers[2].layer", equalTo(1));
    }

    @Test
    void streamsOneLayerEventPerLayerThenDone() {
        Fixtures.root();
        String body = given().queryParam("model", "gpt2-tiny").queryParam("prompt", "The sky is blue.")
                .get("/api/lens/stream").then().statusCode(200)
                .contentType(containsString("text/event-stream")).extract().asString();
        Matcher events = Pattern.compile("(?m)^event: ?(\\w+)").matcher(body);
        StringBuilder order = new StringBuilder();
        while (events.find()) {
            order.append(events.group(1)).append(' ');
        }
        assertEquals("tokens layer layer layer layer layer done ", order.toString(), body);
    }

    @Test
    void rejectsUnknownModel() {
        given().queryParam("model", "no-such-model").queryParam("prompt", "hi").get("/api/lens").then().statusCode(404)
                .body("error", containsString("unknown model 'no-such-model'"));
        given().queryParam("model", "no-such-model").queryParam("prompt", "hi").get("/api/lens/stream").then().statusCode(404);
    }

    @Test
    void rejectsEmptyPrompt() {
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "").get("/api/lens").then().statusCode(400)
                .body("error", containsString("prompt is empty"));
        given().queryParam("model", "gpt2-tiny").get("/api/lens/stream").then().statusCode(400)
                .body("error", containsString("prompt is empty"));
    }

    @Test
    void rejectsTopkOutsideOneToHundred() {
        for (String k : new String[] {"0", "101", "-3", "abc"}) {
            given().queryParam("model", "gpt2-tiny").queryParam("prompt", "hi").queryParam("topk", k)
                    .get("/api/lens").then().statusCode(400).body("error", containsString("topk must be"));
        }
    }

    @Test
    void rejectsPromptLongerThanContext() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "word ".repeat(200))
                .get("/api/lens").then().statusCode(400)
                .body("error", containsString("context of 128 tokens"));
    }

    @Test
    void unusableCheckpointIsAClearErrorAndTheServiceKeepsRunning() {
        Fixtures.root();
        given().queryParam("model", "gpt2-small-config").queryParam("prompt", "hi").get("/api/lens").then().statusCode(422)
                .body("error", containsString("no model.safetensors"))
                .body("error", containsString("gpt2-small-config"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "hi").get("/api/lens").then().statusCode(200);
    }

    @Test
    void documentsTheApiInOpenApi() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/lens/stream"))
                .body(containsString("/api/models"));
    }
}
