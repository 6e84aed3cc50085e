package io.lensboard.runs;

import io.lensboard.Threads;
import io.lensboard.storage.StorageUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/** Plain JDBC for the run store and the cluster's tables: one statement per call, on a pooled connection. */
public final class Jdbc {
    private static final Logger LOG = Logger.getLogger(Jdbc.class);

    private Jdbc() {}

    public interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    public static void query(DataSource db, String sql, Row row, Object... args) {
        Threads.blocking("a database read");
        try (Connection c = db.getConnection(); PreparedStatement st = bind(c.prepareStatement(sql), args); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                row.accept(rs);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Runs the statement; returns how many rows it changed. */
    public static int update(DataSource db, String sql, Object... args) {
        Threads.blocking("a database write");
        try (Connection c = db.getConnection(); PreparedStatement st = bind(c.prepareStatement(sql), args)) {
            return st.executeUpdate();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Statements on one connection, for {@link #transaction}. */
    public interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    /** Runs the statements in one transaction: all of them are stored, or (on any failure) none. */
    public static <T> T transaction(DataSource db, Work<T> work) {
        Threads.blocking("a database write");
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.apply(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    public static PreparedStatement bind(PreparedStatement st, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            st.setObject(i + 1, args[i]);
        }
        return st;
    }

    /**
     * A failed statement: the disk is full or the database cannot be reached. The answer says so without SQL; the
     * log has the detail. Nothing stored is touched, and the next statement tries afresh on a new connection.
     */
    public static StorageUnavailableException unavailable(SQLException e) {
        LOG.warnf("run store: %s", e.getMessage());
        return new StorageUnavailableException("the run store cannot be written or read just now (is the disk full?); "
                + "what is stored is kept: try again shortly");
    }
}
