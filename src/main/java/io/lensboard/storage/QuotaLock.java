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

    /**
     * Makes the quota's row if it is missing. Call it outside the upload's transaction (with auto-commit): in
     * PostgreSQL a replica whose insert collides with another's would otherwise have its transaction aborted.
     */
    public static void ensure(Connection c, String quota) throws SQLException {
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
