package io.lensboard.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;

/**
 * Copies a single-process store (the H2 file under a data directory) into an empty PostgreSQL database, so a lensboard
 * that grew up alone can become a cluster (README "Running a cluster"). Both are first migrated to the same schema
 * (Flyway, the application's own migrations); then every table is copied row by row, tables that others refer to
 * first, in one PostgreSQL transaction: all of it, or nothing. Stop lensboard first; the H2 file is only read.
 * <pre>LENSBOARD_DB_URL=jdbc:postgresql://… LENSBOARD_DB_USER=… LENSBOARD_DB_PASSWORD=… java -cp … io.lensboard.tools.StoreCopy ./data</pre>
 */
public final class StoreCopy {
    private StoreCopy() {}

    public static void main(String[] args) throws SQLException {
        if (args.length != 1 || System.getenv("LENSBOARD_DB_URL") == null) {
            System.err.println("usage: LENSBOARD_DB_URL=jdbc:postgresql://HOST/DB LENSBOARD_DB_USER=… LENSBOARD_DB_PASSWORD=… "
                    + "java -cp … io.lensboard.tools.StoreCopy DATA_DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        if (!Files.exists(dir.resolve("lensboard.mv.db"))) {
            System.err.println("no lensboard store in " + dir + " (looked for lensboard.mv.db)");
            System.exit(2);
        }
        Map<String, Long> copied = copy("jdbc:h2:file:" + dir.resolve("lensboard") + ";DB_CLOSE_ON_EXIT=FALSE", "lensboard", "",
                System.getenv("LENSBOARD_DB_URL"), System.getenv("LENSBOARD_DB_USER"), System.getenv("LENSBOARD_DB_PASSWORD"));
        copied.forEach((table, rows) -> System.out.println(table + ": " + rows + " rows"));
    }

    /** Copies every table of the H2 store into the PostgreSQL database; returns the rows copied per table. */
    public static Map<String, Long> copy(String h2Url, String h2User, String h2Password, String pgUrl, String pgUser, String pgPassword)
            throws SQLException {
        migrate(h2Url, h2User, h2Password);
        migrate(pgUrl, pgUser, pgPassword);
        Map<String, Long> copied = new TreeMap<>();
        try (Connection from = DriverManager.getConnection(h2Url, h2User, h2Password);
             Connection to = DriverManager.getConnection(pgUrl, pgUser, pgPassword)) {
            to.setAutoCommit(false);
            try {
                for (String table : parentsFirst(from.getMetaData())) {
                    copied.put(table, copyTable(from, to, table));
                }
                to.commit();
            } catch (SQLException e) {
                to.rollback();
                throw e;
            }
        }
        return copied;
    }

    private static void migrate(String url, String user, String password) {
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").load().migrate();
    }

    /** The store's tables (Flyway's own history aside), each after the tables its foreign keys point to. */
    private static List<String> parentsFirst(DatabaseMetaData meta) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = meta.getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                if (!name.equalsIgnoreCase("flyway_schema_history")) {
                    tables.add(name);
                }
            }
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String table : tables) {
            addAfterParents(meta, table, ordered);
        }
        return ordered.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    }

    private static void addAfterParents(DatabaseMetaData meta, String table, Set<String> ordered) throws SQLException {
        if (ordered.contains(table)) {
            return;
        }
        try (ResultSet rs = meta.getImportedKeys(null, "PUBLIC", table)) {
            while (rs.next()) {
                String parent = rs.getString("PKTABLE_NAME");
                if (!parent.equals(table)) {
                    addAfterParents(meta, parent, ordered);
                }
            }
        }
        ordered.add(table);
    }

    private static long copyTable(Connection from, Connection to, String table) throws SQLException {
        long rows = 0;
        try (PreparedStatement read = from.prepareStatement("SELECT * FROM " + table); ResultSet rs = read.executeQuery()) {
            ResultSetMetaData columns = rs.getMetaData();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                names.add(columns.getColumnName(i).toLowerCase(Locale.ROOT));
            }
            String insert = "INSERT INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", names.stream().map(n -> "?").toList()) + ")";
            try (PreparedStatement write = to.prepareStatement(insert)) {
                while (rs.next()) {
                    for (int i = 1; i <= names.size(); i++) {
                        write.setObject(i, rs.getObject(i));
                    }
                    write.addBatch();
                    if (++rows % 1000 == 0) {
                        write.executeBatch();
                    }
                }
                write.executeBatch();
            }
        }
        return rows;
    }
}
