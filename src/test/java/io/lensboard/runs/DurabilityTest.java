package io.lensboard.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 right after a run is acknowledged loses nothing: the store commits to disk before it answers. */
class DurabilityTest {

    @TempDir
    Path dir;

    @Test
    void killNineRightAfterStoringKeepsTheRunAndItsEvents() throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            String id = "kill" + attempt;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), StoreWriter.class.getName(), dir.toString(), id)
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null && !line.equals("stored " + id)) {
                    // Flyway's and H2's start-up lines
                }
                assertEquals("stored " + id, line, "the child stored the run");
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            RunStore store = new RunStore(StoreWriter.dataSource(dir), new ObjectMapper());
            assertEquals(RunState.QUEUED, store.find(id).orElseThrow(() -> new AssertionError(id + " was lost")).state());
            assertEquals(List.of(new RunEvent(1, "state", "{\"state\":\"queued\"}")), store.events(id, 0));
        }
    }
}
