package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** A hub id that would reach outside the cache is a 400 naming the bad part, before anything is downloaded. */
@QuarkusTest
class HubIdsApiTest {

    @Test
    void answersBadRequestNamingTheRevisionThatLeavesTheRepository() {
        given().queryParam("model", "hf:a/b@../../x").get("/api/models/status").then().statusCode(400)
                .contentType(containsString("application/json"))
                .body("status", equalTo(400))
                .body("error", containsString("revision '../../x'"))
                .body("error", containsString("branch or tag name"));
        given().queryParam("model", "hf:a/b@../../x").post("/api/models/load").then().statusCode(400)
                .body("error", containsString("revision '../../x'"));
        given().get("/api/models").then().statusCode(200).body("id", not(hasItem("hf:a/b@../../x")));
    }

    @Test
    void lensAnswersBadRequestForAHubIdOutsideTheCache() {
        given().queryParam("model", "hf:a/b@../../x").queryParam("prompt", "hi").get("/api/lens").then().statusCode(400)
                .contentType(containsString("application/json"))
                .body("error", containsString("revision '../../x'"));
        given().queryParam("model", "hf:a/b/../../x.gguf").queryParam("prompt", "hi").get("/api/lens/stream").then().statusCode(400)
                .body("error", containsString("file '../../x.gguf'"));
    }

    @Test
    void answersBadRequestForAnOverlongModelId() {
        given().queryParam("model", "hf:a/" + "b".repeat(300)).get("/api/models/status").then().statusCode(400)
                .body("error", containsString("at most 256 characters"));
    }
}
