package io.lensboard.runs;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Runs' checkpoints in the store (a cluster's: with H2 a run interrupted by a restart is not resumed), one row per
 * run: how often one is written, the largest one kept, and the rows themselves. A row is written only while its run
 * is still the writing replica's, so a replica that lost its run (its lease lapsed) cannot overwrite the new one's.
 */
public final class Checkpoints {
    /** A run's saved state, after step {@code step}. */
    public record Saved(int step, byte[] state) {}

    private final DataSource db;
    private final long everyMillis;
    private final long maxBytes;

    /** {@code db} null: no checkpoints are written or read. */
    public Checkpoints(DataSource db, Duration every, long maxBytes) {
        this.db = db;
        this.everyMillis = every.toMillis();
        this.maxBytes = maxBytes;
    }

    /** For a single process (H2): none. */
    public static Checkpoints none() {
        return new Checkpoints(null, Duration.ZERO, 0);
    }

    public boolean enabled() {
        return db != null;
    }

    /** Whether a run whose last checkpoint (or start) was at {@code lastMillis} writes one now. */
    public boolean due(long lastMillis, long nowMillis) {
        return enabled() && nowMillis - lastMillis >= everyMillis;
    }

    /** Whether a state of this many bytes is kept (a larger one is not written). */
    public boolean fits(int bytes) {
        return bytes <= maxBytes;
    }

    public Optional<Saved> find(String id) {
        if (!enabled()) {
            return Optional.empty();
        }
        List<Saved> out = new ArrayList<>(1);
        Jdbc.query(db, "SELECT step, state FROM run_checkpoints WHERE run_id = ?", rs -> out.add(new Saved(rs.getInt(1), rs.getBytes(2))), id);
        return out.stream().findFirst();
    }

    /**
     * Replaces the run's checkpoint, if the run is still {@code replica}'s; false when it is not (another replica took
     * it over). The run's row stays locked meanwhile, so a replica queueing it again waits for this write.
     */
    public boolean save(String id, String replica, int step, byte[] state, long nowMillis) {
        if (!fits(state.length)) {
            throw new IllegalArgumentException("a checkpoint of " + state.length + " bytes is over the limit of " + maxBytes);
        }
        return Jdbc.transaction(db, c -> {
            try (PreparedStatement st = Jdbc.bind(c.prepareStatement("SELECT id FROM runs WHERE id = ? AND replica = ? FOR UPDATE"), id, replica);
                 var rs = st.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
            }
            update(c.prepareStatement("DELETE FROM run_checkpoints WHERE run_id = ?"), id);
            update(c.prepareStatement("INSERT INTO run_checkpoints (run_id, step, state, saved_at) VALUES (?, ?, ?, ?)"),
                    id, step, state, nowMillis);
            return true;
        });
    }

    /** The run ended (done, failed, cancelled): its checkpoint is of no more use. */
    public void delete(String id) {
        if (enabled()) {
            Jdbc.update(db, "DELETE FROM run_checkpoints WHERE run_id = ?", id);
        }
    }

    private static void update(PreparedStatement st, Object... args) throws SQLException {
        try (st) {
            Jdbc.bind(st, args).executeUpdate();
        }
    }
}
