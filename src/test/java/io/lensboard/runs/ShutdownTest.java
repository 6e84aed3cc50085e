package io.lensboard.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lensboard.Fixtures;
import io.lensboard.testing.Await;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stopping the service ends the running step cleanly and marks unfinished runs interrupted, once. */
@QuarkusTest
@TestProfile(ShutdownTest.OwnInstance.class)
class ShutdownTest {
    /** Its own application: the test stops its run thread. */
    public static class OwnInstance implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.data-dir", "./target/test-data-shutdown");
        }
    }

    @Inject
    RunService runs;

    private static String start(String prompt) {
        return RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", prompt, "steps", 100000));
    }

    @Test
    void stoppingMarksRunningAndQueuedRunsInterruptedOnce() throws Exception {
        Fixtures.root();
        String running = start("running");
        String queued = start("queued");
        Await.until("run " + running + " to be running", Duration.ofSeconds(60), () -> runs.find(running).state() == RunState.RUNNING);
        runs.stop(null);
        for (String id : List.of(running, queued)) {
            RunRecord r = runs.find(id);
            assertEquals(RunState.INTERRUPTED, r.state(), id);
            assertEquals("the service stopped while this run was unfinished", r.error());
        }
        long events = runs.events(running, 0).size();
        runs.recover(); // the next start: nothing is left to mark
        assertEquals(events, runs.events(running, 0).size(), "marked interrupted once");
        assertEquals(1, runs.events(running, 0).stream().filter(e -> e.type().equals("done")).count());
    }
}
