package io.lensboard.runs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import io.lensboard.runs.RunStore;
import io.lensboard.tools.StoreCopy;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The documented H2 → PostgreSQL command copies a single-process store whole: runs, their events, their order. */
@Tag("cluster")
class StoreCopyTest {

    @TempDir
    Path dir;

    @Test
    void copiesAnH2StoreIntoPostgresql() throws Exception {
        Postgres pg;
        try {
            pg = Postgres.start();
        } catch (Exception e) {
            Assumptions.assumeTrue(false, "PostgreSQL could not start, so the copy is not tested: " + e.getMessage());
            return;
        }
        try (pg) {
            ObjectMapper json = new ObjectMapper();
            String h2Url = "jdbc:h2:file:" + dir.resolve("lensboard") + ";DB_CLOSE_ON_EXIT=FALSE";
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(h2Url);
            h2.setUser("lensboard");
            Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();
            RunStore before = new RunStore(h2, json);
            Instant created = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            before.insert(new RunRecord("copied1", "reconstruction", "gpt2-tiny", json.readTree("{\"prompt\":\"x\"}"), RunState.QUEUED,
                    null, null, created, null, null));
            before.start("copied1", "solo");
            before.append("copied1", new RunEvent(1, "state", "{\"state\":\"queued\"}"));
            before.append("copied1", new RunEvent(2, "step", "{\"step\":1,\"loss\":0.5}"));
            before.result("copied1", json.readTree("{\"text\":\"x\"}"));
            before.state("copied1", RunState.DONE, null);

            StoreCopy.copy(h2Url, "lensboard", "", pg.url(), "lensboard", "");

            PGSimpleDataSource target = new PGSimpleDataSource();
            target.setURL(pg.url());
            target.setUser("lensboard");
            RunStore after = new RunStore(target, json);
            RunRecord run = after.find("copied1").orElseThrow(() -> new AssertionError("the run was not copied"));
            assertEquals(before.find("copied1").orElseThrow(), run);
            assertEquals("solo", run.replica());
            assertEquals(1, run.attempts());
            assertEquals(before.events("copied1", 0), after.events("copied1", 0));
            assertEquals(List.of("copied1"), after.list(10).stream().map(RunRecord::id).toList());
        }
    }
}
