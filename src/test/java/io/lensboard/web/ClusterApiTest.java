package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster API in the default single-process mode (H2): one replica, this process, which runs every run once;
 * the home page shows no cluster panel. (Several replicas on PostgreSQL: ClusterTest.)
 */
@QuarkusTest
@Tag("cluster")
class ClusterApiTest {

    @Test
    void oneReplicaRunsEveryRunOnceAndTheHomePageShowsNoClusterPanel() throws InterruptedException {
        Fixtures.dir("stories260K");
        JsonPath cluster = given().get("/api/cluster").then().statusCode(200).extract().jsonPath();
        assertEquals(1, cluster.getList("replicas").size());
        String replica = cluster.getString("replicas[0].id");
        assertTrue(cluster.getString("replicas[0].url").startsWith("http://"), cluster.prettify());
        assertTrue(cluster.getLong("replicas[0].memory_free") > 0, cluster.prettify());
        assertTrue(cluster.getString("replicas[0].heartbeat").matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), cluster.prettify());

        String id = RunsApi.start("reconstruction", "stories260K", Map.of("prompt", "Once upon a time", "steps", 2));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals(replica, run.getString("replica"));
        assertEquals(1, run.getInt("attempts"));
        assertTrue(given().get("/api/cluster").then().statusCode(200).extract().jsonPath().getList("replicas[0].models")
                .contains("stories260K"), "the model is reported warm after its run");

        given().accept("text/html").get("/").then().statusCode(200).body(not(containsString("class=\"cluster\"")));
    }
}
