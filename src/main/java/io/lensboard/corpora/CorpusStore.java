package io.lensboard.corpora;

import io.lensboard.storage.QuotaExceededException;
import io.lensboard.storage.QuotaLock;
import io.lensboard.storage.StorageUnavailableException;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Uploaded corpora in SQL (table {@code corpora}, migration V13), shared by every replica on one PostgreSQL: the name
 * is the primary key, and an upload counts the quota and inserts in one transaction holding the quota's row lock,
 * so neither concurrent uploads under one name nor uploads on several replicas can both be acknowledged past it.
 * Blocking JDBC: callers are worker threads ({@link Corpora} checks).
 */
@Singleton
public class CorpusStore {
    private static final Logger LOG = Logger.getLogger(CorpusStore.class);
    private static final String QUOTA = "corpora";

    /** What the uploads take now. */
    public record Stored(long count, long bytes) {}

    private final DataSource db;

    /** Held while this process counts and inserts, so its uploads never queue on the row lock (short timeout in H2). */
    private final Object saving = new Object();

    @Inject
    public CorpusStore(DataSource db) {
        this.db = db;
    }

    /**
     * Inserts the corpus unless its name is taken (409) or it would take the uploads past {@code maxCount} corpora
     * or {@code maxBytes} bytes (409 naming the way out); with {@code quota} false (moving in an old file) only the
     * name is checked.
     */
    public void insert(String name, byte[] text, int maxCount, long maxBytes, boolean quota) {
        synchronized (saving) {
            try (Connection c = db.getConnection()) {
                QuotaLock.within(c, QUOTA, tx -> insertWithinQuota(tx, name, text, maxCount, maxBytes, quota));
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) { // the primary key: taken by an insert that did not wait its turn
                    throw new CorpusNameTakenException(name);
                }
                throw unavailable(e);
            }
        }
    }

    /** In the quota's transaction, holding its row lock: checks the name and what is stored, inserts. */
    private static void insertWithinQuota(Connection c, String name, byte[] text, int maxCount, long maxBytes, boolean quota)
            throws SQLException {
        if (exists(c, name)) {
            throw new CorpusNameTakenException(name);
        }
        Stored used = stored(c);
        if (quota && (used.count() + 1 > maxCount || used.bytes() + text.length > maxBytes)) {
            throw new QuotaExceededException("uploaded corpora", used.count(), used.bytes(), text.length,
                    maxCount, maxBytes, "/corpora (DELETE /api/corpora/{name})", "LENSBOARD_CORPUS_QUOTA");
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO corpora (name, data, bytes, created_at) VALUES (?, ?, ?, ?)")) {
            st.setString(1, name);
            st.setBytes(2, text);
            st.setLong(3, text.length);
            st.setTimestamp(4, Timestamp.from(Instant.now()));
            st.executeUpdate();
        }
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM corpora WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Deletes an upload; false when there was none by that name. */
    public boolean delete(String name) {
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement("DELETE FROM corpora WHERE name = ?")) {
            st.setString(1, name);
            return st.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Every upload's name and size, by name. */
    public Map<String, Long> sizes() {
        try (Connection c = db.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT name, bytes FROM corpora ORDER BY name");
             ResultSet rs = st.executeQuery()) {
            Map<String, Long> out = new LinkedHashMap<>();
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** The upload's text as sent. */
    public Optional<byte[]> text(String name) {
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement("SELECT data FROM corpora WHERE name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    public Stored stored() {
        try (Connection c = db.getConnection()) {
            return stored(c);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static Stored stored(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM corpora");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return new Stored(rs.getLong(1), rs.getLong(2));
        }
    }

    private static StorageUnavailableException unavailable(SQLException e) {
        LOG.warnf("corpus store: %s", e.getMessage());
        return new StorageUnavailableException("the corpus store cannot be written or read just now (is the disk full?); "
                + "what is stored is kept: try again shortly");
    }
}
