package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;

/** decoder=tuned:{id} on the lens API with the test lens directory (src/test/resources/lenses, made by PyTorch). */
@QuarkusTest
class TunedLensApiTest {
    private static final String PROMPT = "The sky is blue";

    @Test
    void listsTheLensesWithTheModelsTheyFit() {
        Fixtures.root();
        given().get("/api/lenses").then().statusCode(200)
                .body("find { it.id == 'gpt2-tiny' }.base_model", equalTo("gpt2-tiny"))
                .body("find { it.id == 'gpt2-tiny' }.d_model", equalTo(64))
                .body("find { it.id == 'gpt2-tiny' }.num_hidden_layers", equalTo(4))
                .body("find { it.id == 'gpt2-tiny' }.lens_type", equalTo("linear_tuned_lens"))
                .body("find { it.id == 'gpt2-tiny' }.models", hasItem("gpt2-tiny"));
    }

    @Test
    void decodesThroughTheTunedLensAndSaysSo() {
        Fixtures.root();
        JsonPath logit = given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).get("/api/lens")
                .then().statusCode(200).body("decoder", equalTo("logit")).extract().jsonPath();
        JsonPath tuned = given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:gpt2-tiny")
                .get("/api/lens").then().statusCode(200).body("decoder", equalTo("tuned:gpt2-tiny")).extract().jsonPath();
        assertEquals(5, tuned.getList("layers").size());
        List<Object> logitTop = logit.getList("layers[1].positions.top[0].id");
        assertNotEquals(logit.getList("layers[1].positions.kl_final"), tuned.getList("layers[1].positions.kl_final"), "layer 1 is translated");
        assertEquals(logit.getList("layers[4].positions.top.id"), tuned.getList("layers[4].positions.top.id"), "the output is the model's");
        assertTrue(!logitTop.isEmpty());
    }

    @Test
    void streamsAndExportsThroughTheTunedLens() {
        Fixtures.root();
        String events = given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:gpt2-tiny")
                .get("/api/lens/stream").then().statusCode(200).extract().asString();
        assertTrue(events.contains("\"decoder\":\"tuned:gpt2-tiny\"") && events.contains("event:done"), events);
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:gpt2-tiny")
                .get("/api/lens/csv").then().statusCode(200)
                .header("Content-Disposition", containsString("lens-gpt2-tiny-tuned_gpt2-tiny-The_sky_is-"));
    }

    @Test
    void refusesUnknownMismatchedAndMalformedDecoders() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:no-such-lens")
                .get("/api/lens").then().statusCode(404)
                .body("error", containsString("unknown tuned lens 'no-such-lens'")).body("error", containsString("gpt2-tiny"));
        given().queryParam("model", "llama-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:gpt2-tiny")
                .get("/api/lens/stream").then().statusCode(422)
                .body("error", containsString("llama-tiny has d_model 64 and 3 layers"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned")
                .get("/api/lens/csv").then().statusCode(400).body("error", containsString("decoder must be logit or tuned:<lens id>"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:gpt2-tiny").queryParam("sub", "1")
                .get("/api/lens").then().statusCode(400).body("error", containsString("sub-block rows"));
        // a lens id is looked up among the listed directories, never resolved as a path
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:../lenses/gpt2-tiny")
                .get("/api/lens").then().statusCode(404).body("error", containsString("unknown tuned lens"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:hf:lensboard/lenses/../x")
                .get("/api/lens").then().statusCode(400).body("error", containsString("is not allowed"));
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", PROMPT).queryParam("decoder", "tuned:" + "x".repeat(400))
                .get("/api/lens").then().statusCode(400).body("error", containsString("decoder must be logit or tuned:<lens id>"));
    }
}
