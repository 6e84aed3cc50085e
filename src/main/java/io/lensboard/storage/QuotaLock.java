package io.lensboard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A quota's row in {@code quota_locks} (migration V10): an upload locks it ({@code SELECT … FOR UPDATE}) in the
 * transaction that counts what is stored and inserts, so concurrent uploads, on one replica or several sharing
 * PostgreSQL, take turns and cannot together pass the quota.
 */
public final class QuotaLock {
    private QuotaLock() {}

    /** Statements that count what is stored and insert, in the quota's transaction. */
    public interface Work {
        void run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction that first takes the quota's row lock (made beforehand if missing): all of
     * it is stored, or (on any failure, rolled back) none. The connection is left in auto-commit.
     */
    public static void within(Connection c, String quota, Work work) throws SQLException {
        ensure(c, quota);
        c.setAutoCommit(false);
        try {
            take(c, quota);
            work.run(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Makes the quota's row if it is missing, before the upload's transaction (with auto-commit): in PostgreSQL a
     * replica whose insert collides with another's would otherwise have its transaction aborted.
     */
    private static void ensure(Connection c, String quota) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO quota_locks (name) SELECT ? WHERE NOT EXISTS "
                + "(SELECT 1 FROM quota_locks WHERE name = ?)")) {
            st.setString(1, quota);
            st.setString(2, quota);
            st.executeUpdate();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) { // 23505: made meanwhile by another replica
                throw e;
            }
        }
    }

    /** In the caller's transaction: waits for, then holds until it ends, the quota's row lock. */
    public static void take(Connection c, String quota) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT name FROM quota_locks WHERE name = ? FOR UPDATE")) {
            st.setString(1, quota);
            st.executeQuery().close();
        }
    }
}
