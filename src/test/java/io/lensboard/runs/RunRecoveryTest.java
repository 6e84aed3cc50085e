package io.lensboard.runs;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** After a restart, event ids go on from the stored ones: a viewer resuming with Last-Event-ID learns the run was interrupted. */
@QuarkusTest
class RunRecoveryTest {

    @Inject
    RunService runs;

    @Inject
    ObjectMapper json;

    @Test
    void viewerResumingAfterARestartReceivesInterrupted() throws Exception {
        String id = runs.newId();
        runs.store().insert(new RunRecord(id, "reconstruction", "gpt2-tiny", json.readTree("{\"prompt\":\"x\"}"), RunState.QUEUED,
                null, null, Instant.now(), null, null));
        runs.store().state(id, RunState.RUNNING, null);
        for (long seq = 1; seq <= 3; seq++) {
            runs.store().append(id, new RunEvent(seq, "step", "{\"step\":" + seq + "}"));
        }

        runs.recover(); // what a start finds: a run that was running when the last process died

        String rest = given().header("Last-Event-ID", "3").get("/api/runs/" + id + "/events").then().statusCode(200).extract().asString();
        assertTrue(rest.matches("(?s)\\s*id: ?4\\s+event: ?done\\s+.*\"state\":\"interrupted\".*") || rest.matches("(?s).*event: ?done.*id: ?4.*interrupted.*")
                || rest.matches("(?s).*id: ?4.*event: ?done.*interrupted.*"), rest);
        assertEquals(1, rest.split("event:").length - 1, "only the event after 3: " + rest);
        assertEquals("interrupted", given().get("/api/runs/" + id).then().extract().path("state"));
    }
}
