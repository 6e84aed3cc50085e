package io.lensboard.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grids of runs as a restart finds them: a study cell by cell, an alignment table stored before grids were shared. */
class RunGridStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JdbcDataSource db() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("lensboard") + ";DB_CLOSE_ON_EXIT=FALSE");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }

    @Test
    void aStudyReopensWithItsAxesAsGivenAndOneRunPerCell() throws Exception {
        List<List<Object>> values = List.of(List.of("gpt2-tiny", "gpt2-tiny:untrained"), List.of(1, 4), List.of(true, false), List.of(0, 7));
        List<String> runs = java.util.stream.IntStream.range(0, 16).mapToObj(i -> "run" + i).toList();
        RunGrid study = new RunGrid("s1", GridTable.STUDIES, "reconstruction", values, JSON.readTree("{\"steps\": 5}"), runs,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        new RunStore(db(), JSON).insert(study);

        RunGrid back = new RunStore(db(), JSON).findGrid(GridTable.STUDIES, "s1").orElseThrow(); // a new process
        assertEquals(study, back);
        assertEquals(List.of(study), new RunStore(db(), JSON).grids(GridTable.STUDIES, 10));
        assertEquals(List.of(), new RunStore(db(), JSON).grids(GridTable.ALIGNMENTS, 10), "each grid kind in its own table");
        // the last axis varies fastest: cell 11 = 8 + 0 + 2 + 1 = (untrained, block 1, no head, seed 7)
        assertEquals(List.of("gpt2-tiny:untrained", 1, false, 7), List.of(back.value(11, 0), back.value(11, 1), back.value(11, 2), back.value(11, 3)));
    }

    @Test
    void anAlignmentStoredAsRowsOfColumnsStillOpens() throws Exception {
        JdbcDataSource ds = db();
        try (var c = ds.getConnection(); var st = c.prepareStatement("INSERT INTO alignments (id, kind, spec, created_at) VALUES (?, ?, ?, ?)")) {
            st.setString(1, "a1");
            st.setString(2, "exhaustive");
            st.setString(3, "{\"models\":[\"gpt2-tiny\"],\"layers\":[1,4],\"features\":[\"[:, :, 0]\",\"[:, :, 2]\"],"
                    + "\"params\":{\"topk\":5},\"runs\":[[\"r00\",\"r01\"],[\"r10\",\"r11\"]]}");
            st.setTimestamp(4, java.sql.Timestamp.from(Instant.now()));
            st.executeUpdate();
        }
        Alignment a = Alignment.of(new RunStore(ds, JSON).findGrid(GridTable.ALIGNMENTS, "a1").orElseThrow());
        assertEquals(List.of(List.of("r00", "r01"), List.of("r10", "r11")), a.runs());
        assertEquals(List.of(1, 4), a.layers());
        assertEquals(List.of("[:, :, 0]", "[:, :, 2]"), a.features());
        assertEquals(4, a.layer(1));
    }
}
