package io.lensboard.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/** A child process for {@link DurabilityTest}: stores a run as the service does, says so, and waits to be killed. */
public final class StoreWriter {
    private StoreWriter() {}

    /** The run store on the service's own JDBC URL (application.properties), in {@code dataDir}. */
    static DataSource dataSource(Path dataDir) throws Exception {
        Properties p = new Properties();
        try (InputStream in = StoreWriter.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        JdbcDataSource ds = new JdbcDataSource();
        // ${LENSBOARD_DB_URL:<the H2 file's URL>}: the default, H2, is the store this test is about
        String h2 = p.getProperty("quarkus.datasource.jdbc.url").replaceFirst("^\\$\\{LENSBOARD_DB_URL:(.*)}$", "$1");
        ds.setURL(h2.replace("${lensboard.data-dir}", dataDir.toString()));
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        RunStore store = new RunStore(dataSource(Path.of(args[0])), json);
        store.insertAll(List.of(new RunRecord(args[1], "reconstruction", "gpt2-tiny", json.readTree("{\"prompt\":\"x\"}"),
                RunState.QUEUED, null, null, Instant.now(), null, null)));
        store.append(args[1], new RunEvent(1, "state", "{\"state\":\"queued\"}"));
        System.out.println("stored " + args[1]); // what a 201 tells the client
        System.out.flush();
        Thread.sleep(60_000);
    }
}
