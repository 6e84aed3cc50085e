package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The runs pages: start from the form, follow at the permalink, see the result; bad input next to the form. */
@QuarkusTest
class RunsPageTest {

    @Test
    void formStartsARunWhosePageShowsParamsAndResult() throws InterruptedException {
        Fixtures.root();
        String location = given().redirects().follow(false).formParam("model", "gpt2-tiny").formParam("prompt", "The sky is blue.")
                .formParam("blocks", "1").formParam("steps", "8").formParam("lr", "0.05")
                .post("/runs").then().statusCode(303).extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        RunsApi.finished(id);
        given().get("/runs/" + id).then().statusCode(200)
                .body(allOf(containsString("reconstruction on gpt2-tiny"), containsString("<code>0.05</code>"),
                        containsString("/api/runs/" + id), containsString("run again"), containsString("untrained twin"),
                        containsString("Exact tokens"), containsString("yardstick m")));
        given().get("/runs/" + id + "/result").then().statusCode(200).body(containsString("top-k decodings"));
        given().get("/runs").then().statusCode(200).body(containsString("/runs/" + id));
        given().get("/runs/list").then().statusCode(200)
                .body(allOf(containsString("/runs/" + id), not(containsString("hx-trigger")))); // finished runs: no more polling

        String again = given().redirects().follow(false).post("/runs/" + id + "/again").then().statusCode(303).extract().header("Location");
        String againId = again.substring(again.lastIndexOf('/') + 1);
        RunsApi.finished(againId);
        given().get("/api/runs/" + againId).then().body("params.seed", org.hamcrest.Matchers.equalTo(1));
        String twin = given().redirects().follow(false).post("/runs/" + id + "/twin").then().statusCode(303).extract().header("Location");
        String twinId = twin.substring(twin.lastIndexOf('/') + 1);
        RunsApi.finished(twinId);
        given().get("/api/runs/" + twinId).then().body("model", org.hamcrest.Matchers.equalTo("gpt2-tiny:untrained"));
    }

    @Test
    void badFormShowsTheMessageNextToTheForm() {
        Fixtures.root();
        given().formParam("model", "gpt2-tiny").formParam("prompt", "x").formParam("steps", "0").post("/runs").then().statusCode(400)
                .body(allOf(containsString("role=\"alert\">params.steps must be between 1 and 100000"), not(containsString("Exception"))));
        given().get("/runs/nope").then().statusCode(404);
    }

    @Test
    void featureFormStartsASearchAndBadFeatureFormsSayWhy() throws InterruptedException {
        Fixtures.root();
        String location = given().redirects().follow(false).formParam("kind", "exhaustive").formParam("model", "gpt2-tiny")
                .formParam("layer", "1").formParam("feature", "[:, :, 0]").formParam("tokens", "4").formParam("topk", "3")
                .formParam("steps", "200").post("/runs").then().statusCode(303).extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        RunsApi.finished(id);
        given().get("/runs/" + id).then().statusCode(200)
                .body(allOf(containsString("exhaustive on gpt2-tiny"), containsString("blocks.0.hook_resid_post"),
                        containsString("feature at position 0"), not(containsString("run again"))));
        given().get("/runs").then().statusCode(200).body(containsString("block 1 [:, :, 0]"));

        given().formParam("kind", "greedy").formParam("model", "gpt2-tiny").formParam("layer", "1").formParam("feature", "[:, :, x]")
                .post("/runs").then().statusCode(400).body(allOf(containsString("role=\"alert\">feature [:, :, x]: &#39;x&#39; is not understood"),
                        not(containsString("Exception"))));
        given().formParam("kind", "greedy").formParam("models", "gpt2-tiny").formParam("layers", "1, two").formParam("features", "[:, :, 1]")
                .post("/alignments").then().statusCode(400).body(containsString("layers: &#39;two&#39; is not a block number"));
        given().formParam("kind", "greedy").formParam("layers", "1").formParam("features", "[:, :, 1]")
                .post("/alignments").then().statusCode(400).body(containsString("models is empty"));
        given().get("/alignments/nope").then().statusCode(404);
    }
}
