package io.lensboard.runs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's side of resuming (H2 here; the cluster test runs it on PostgreSQL): one checkpoint row per run, replaced,
 * written only by the run's replica, bounded in size, deleted at the end; a step's events stored whole or not at all,
 * so the last stored step is exact.
 */
class CheckpointsTest {
    private static final long LIMIT = 1000;

    @TempDir
    Path dir;

    private JdbcDataSource db;
    private RunStore store;
    private Checkpoints checkpoints;

    @BeforeEach
    void open() throws Exception {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:file:" + dir.resolve("lensboard") + ";DB_CLOSE_ON_EXIT=FALSE");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        ObjectMapper json = new ObjectMapper();
        store = new RunStore(db, json);
        checkpoints = new Checkpoints(db, Duration.ofSeconds(10), LIMIT);
        store.insert(new RunRecord("r1", "reconstruction", "gpt2-tiny", json.readTree("{\"prompt\":\"x\"}"), RunState.QUEUED,
                null, null, Instant.now(), null, null));
        store.start("r1", "a");
    }

    @Test
    void aCheckpointReplacesTheLastAndOnlyTheRunsReplicaWritesOne() throws Exception {
        byte[] three = {3, 0, -1};
        byte[] seven = new byte[(int) LIMIT];
        seven[0] = 7;
        assertTrue(checkpoints.save("r1", "a", 3, three, 1));
        assertTrue(checkpoints.save("r1", "a", 7, seven, 2));
        assertEquals(7, checkpoints.find("r1").orElseThrow().step());
        assertArrayEquals(seven, checkpoints.find("r1").orElseThrow().state());
        assertEquals(1, rows("r1"), "one row per run");

        assertFalse(checkpoints.save("r1", "b", 9, three, 3), "replica b does not hold the run");
        assertEquals(7, checkpoints.find("r1").orElseThrow().step(), "b's write left a's checkpoint as it was");

        checkpoints.delete("r1");
        assertTrue(checkpoints.find("r1").isEmpty());
        assertEquals(0, rows("r1"));
    }

    @Test
    void aStateOverTheLimitIsNotStored() {
        assertFalse(checkpoints.fits((int) LIMIT + 1));
        assertThrows(IllegalArgumentException.class, () -> checkpoints.save("r1", "a", 1, new byte[(int) LIMIT + 1], 1));
        assertTrue(checkpoints.find("r1").isEmpty());
    }

    @Test
    void aCheckpointIsDueEveryIntervalAndNeverInASingleProcess() {
        assertFalse(checkpoints.due(1000, 10_999), "10 s have not passed");
        assertTrue(checkpoints.due(1000, 11_000));
        assertFalse(Checkpoints.none().due(0, Long.MAX_VALUE), "a single process writes none");
        assertTrue(Checkpoints.none().find("r1").isEmpty());
    }

    @Test
    void aStepsEventsAreStoredWholeOrNotAtAll() {
        assertEquals(-1, store.lastStep("r1"), "no step stored yet");
        store.append("r1", new RunEvent(1, "state", "{\"state\":\"running\"}"));
        assertEquals(-1, store.lastStep("r1"), "state events belong to no step");
        store.appendStep("r1", 0, List.of(new RunEvent(2, "target", "{}")));
        store.appendStep("r1", 1, List.of(new RunEvent(3, "step", "{\"step\":1}"), new RunEvent(4, "embedding", "{}")));
        assertEquals(1, store.lastStep("r1"));
        // seq 4 is taken: the step's first event would fit, its second cannot, so neither is stored
        assertThrows(RuntimeException.class, () -> store.appendStep("r1", 2, List.of(new RunEvent(5, "step", "{\"step\":2}"),
                new RunEvent(4, "step", "{}"))));
        assertEquals(1, store.lastStep("r1"));
        assertEquals(4, store.lastSeq("r1"));
    }

    private int rows(String id) throws Exception {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT COUNT(*) FROM run_checkpoints WHERE run_id = '" + id + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
