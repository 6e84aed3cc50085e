package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.Await;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The feature-map grid (16 neurons or tokens × blocks, an alignment table of image-ascent) and the ViT-vs-hybrid
 * reconstruction comparison, from their forms to their live pages, on vit-tiny and vit-tiny+gpt2-tiny. A grid is 16
 * runs per block, more than the test queue's usual 2, so this class runs with room for 40.
 */
@QuarkusTest
@TestProfile(ImageFiguresPageTest.RoomyQueue.class)
class ImageFiguresPageTest {
    public static class RoomyQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.runs.queue-limit", "40");
        }
    }

    @Test
    void gridFormStartsSixteenNeuronsTimesTheBlocksAsAnAlignmentTableOfImages() throws InterruptedException {
        Fixtures.dir("vit-tiny");
        given().get("/images/grid").then().statusCode(200).body(containsString("vit-tiny"));
        String location = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("model", "vit-tiny", "layers", "1, 2", "over", "tokens", "first", "1", "steps", "2"))
                .post("/images/grid").then().statusCode(303).extract().header("Location");
        assertTrue(location.matches(".*/alignments/\\w+"), location);
        String id = location.substring(location.lastIndexOf('/') + 1);
        JsonPath table = given().get("/api/alignments/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals("image-ascent", table.getString("kind"));
        assertEquals(2, table.getList("rows").size());
        assertEquals(16, table.getList("rows[0].cells").size());
        assertEquals("[:, 1, :]", table.getString("rows[0].cells[0].feature"));
        assertEquals("[:, 16, :]", table.getString("rows[1].cells[15].feature"));
        String last = table.getString("rows[1].cells[15].run");
        JsonPath run = RunsApi.finished(last);
        assertEquals("done", run.getString("state"), run.prettify());
        // the runs before the last one were queued first, so they finish first, or nearly: the page counts them
        String page = Await.until("every cell of table " + id + " to be finished", Duration.ofMinutes(1),
                () -> given().get("/alignments/" + id).then().statusCode(200).extract().asString(), p -> p.contains("32 of 32 cells finished"));
        assertTrue(page.contains("<img class=\"pixels tile\" src=\"/api/files/"), page);
    }

    @Test
    void gridFormRefusesWhatItCannotDrawWithTheMessage() {
        given().contentType("application/x-www-form-urlencoded").formParams(Map.of("model", "vit-tiny", "layers", "1", "first", "60"))
                .post("/images/grid").then().statusCode(400).body(containsString("neuron 64 is out of range"));
        given().contentType("application/x-www-form-urlencoded").formParams(Map.of("model", "", "layers", "1"))
                .post("/images/grid").then().statusCode(400).body(containsString("model is empty"));
        given().contentType("application/x-www-form-urlencoded").formParams(Map.of("model", "vit-tiny", "layers", "1", "first", "-3"))
                .post("/images/grid").then().statusCode(400).body(containsString("first must be a whole number"));
    }

    @Test
    void comparisonRunsTheTargetThroughTheViTAndTheHybridAtTheSameBlocksSideBySide() throws InterruptedException {
        Fixtures.dir("vit-tiny");
        given().get("/images/compare").then().statusCode(200).body(containsString("vit-tiny"));
        String location = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("target", "image:builtin:shapes", "vit", "vit-tiny", "hybrid", "vit-tiny+gpt2-tiny",
                        "layers", "1, 2", "steps", "3", "snapshot_every", "1"))
                .post("/images/compare").then().statusCode(303).extract().header("Location");
        String ids = location.substring(location.indexOf("runs=") + 5);
        List<String> runs = List.of(ids.split(","));
        assertEquals(4, runs.size(), "one run per block and model");
        JsonPath first = given().get("/api/runs/" + runs.get(0)).then().statusCode(200).extract().jsonPath();
        JsonPath second = given().get("/api/runs/" + runs.get(1)).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("vit-tiny", "vit-tiny+gpt2-tiny", "1", "1"), List.of(first.getString("model"), second.getString("model"),
                first.getString("params.layer"), second.getString("params.layer")));
        String page = given().get("/images/compare/view?runs=" + ids).then().statusCode(200).extract().asString();
        assertTrue(page.contains("/api/images/builtin:shapes") && page.contains("vit-tiny+gpt2-tiny"), page);
        // the stream follows the unfinished tiles (a tile's events once it is finished) and ends with done
        String stream = given().get("/images/compare/tiles?runs=" + ids).then().statusCode(200).extract().asString();
        assertTrue(stream.matches("(?s).*event: ?done.*"), stream);
        for (String id : runs) {
            assertEquals("done", RunsApi.finished(id).getString("state"));
        }
        String done = given().get("/images/compare/view?runs=" + ids).then().statusCode(200).extract().asString();
        assertEquals(4, done.split("src=\"/api/files/", -1).length - 1, "each tile its final image: " + done);
        assertTrue(!done.contains("sse-connect"), "a finished comparison has no stream");
        given().get("/images/compare/view?runs=nope").then().statusCode(404);
        given().contentType("application/x-www-form-urlencoded").formParams(Map.of("target", "image:builtin:shapes", "vit", "vit-tiny",
                "hybrid", "vit-tiny+gpt2-tiny", "layers", "9")).post("/images/compare").then().statusCode(400).body(containsString("layer"));
    }
}
