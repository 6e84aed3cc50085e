package io.lensboard.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restart finds: finished runs as they were, unfinished ones marked interrupted, no event lost. */
class RunStoreTest {

    @TempDir
    Path dir;

    private RunStore open() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("lensboard") + ";DB_CLOSE_ON_EXIT=FALSE");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return new RunStore(ds, new ObjectMapper());
    }

    @Test
    void restartMarksUnfinishedRunsInterruptedAndKeepsFinishedOnes() throws Exception {
        ObjectMapper json = new ObjectMapper();
        RunStore before = open();
        for (String[] run : new String[][] {{"q1", "queued"}, {"r1", "running"}, {"d1", "done"}}) {
            before.insert(new RunRecord(run[0], "reconstruction", "gpt2-tiny", json.readTree("{\"prompt\":\"x\"}"),
                    RunState.QUEUED, null, null, Instant.now(), null, null));
            before.state(run[0], RunState.valueOf(run[1].toUpperCase()), null);
            before.append(run[0], new RunEvent(1, "state", "{\"state\":\"" + run[1] + "\"}"));
        }
        before.result("d1", json.readTree("{\"ids\":[1,2]}"));

        RunStore after = open(); // a new process opening the same database file
        assertEquals(Set.of("q1", "r1"), Set.copyOf(after.interruptUnfinished()));
        assertEquals(RunState.INTERRUPTED, after.find("q1").orElseThrow().state());
        assertEquals(RunState.INTERRUPTED, after.find("r1").orElseThrow().state());
        assertEquals("the service restarted while this run was unfinished", after.find("r1").orElseThrow().error());
        RunRecord done = after.find("d1").orElseThrow();
        assertEquals(RunState.DONE, done.state());
        assertEquals("[1,2]", done.result().get("ids").toString());
        assertNull(done.error());
        assertEquals(List.of(new RunEvent(1, "state", "{\"state\":\"running\"}")), after.events("r1", 0));
        assertEquals(1, after.lastSeq("r1"));
    }
}
