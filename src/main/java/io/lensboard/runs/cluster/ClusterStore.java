package io.lensboard.runs.cluster;

import io.lensboard.Threads;
import io.lensboard.runs.Jdbc;
import io.lensboard.model.Dtype;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The cluster's shared state in PostgreSQL: claims of queued runs (row locks, {@code FOR UPDATE SKIP LOCKED}), their
 * leases, the replica registry and the notifications that wake other replicas. Times are epoch milliseconds from
 * each replica's clock (kept in step by NTP; a lease is tens of seconds, far above the usual skew).
 */
public class ClusterStore {
    /** Channel of run events: {@code {"replica","run","seq","type","data"}}, data left out when too long for NOTIFY. */
    public static final String EVENTS = "lensboard_events";
    /** Channel of queue changes: {@code queued} (a run to claim) or {@code cancel:ID}. */
    public static final String QUEUE = "lensboard_queue";

    private static final String ACTIVE = "state IN ('loading', 'running')";
    /** A queued run's dtype, kept in its params ({@link RunRecord#dtype()}: float32 when absent). */
    private static final String RUN_DTYPE = "COALESCE(r.params::jsonb ->> '" + RunRecord.DTYPE + "', '" + Dtype.FLOAT32.id + "')";

    private final DataSource db;

    public ClusterStore(DataSource db) {
        this.db = db;
    }

    /** A run whose lease ran out, and how many times it was started. */
    public record Expired(String id, int attempts) {}

    /**
     * Claims the oldest queued run this replica should take, or none: one whose model it holds warm in the run's
     * dtype; else one that waited {@code warmSince} or longer; else one whose model no live replica holds warm in that
     * dtype. The row lock makes the claim exclusive, and SKIP LOCKED lets other replicas claim other runs meanwhile.
     * Returns the run's id.
     */
    public Optional<String> claim(String replica, List<WarmModel> warm, long now, long leaseUntil, long warmSince, long aliveSince) {
        Threads.blocking("a database write");
        String sql = "UPDATE runs SET state = 'loading', replica = ?, attempts = attempts + 1, lease_until = ?, cancel_requested = FALSE"
                + " WHERE id = (SELECT r.id FROM runs r WHERE r.state = 'queued' AND ((r.model, " + RUN_DTYPE + ") IN"
                + "     (SELECT w.model, w.dtype FROM unnest(?, ?) AS w (model, dtype))"
                + "   OR COALESCE(r.queued_at, 0) <= ?"
                + "   OR NOT EXISTS (SELECT 1 FROM replica_models m JOIN replicas p ON p.id = m.replica"
                + "                  WHERE m.model = r.model AND m.dtype = " + RUN_DTYPE + " AND p.heartbeat >= ? AND p.id <> ?))"
                + " ORDER BY r.created_at, r.id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id";
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            Jdbc.bind(st, replica, leaseUntil, c.createArrayOf("varchar", warm.stream().map(WarmModel::model).toArray()),
                    c.createArrayOf("varchar", warm.stream().map(WarmModel::dtype).toArray()), warmSince, aliveSince, replica);
            try (var rs = st.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw Jdbc.unavailable(e);
        }
    }

    /**
     * Extends the run's lease if the run is still this replica's; false when another replica has taken it over (a run
     * that has just finished here is still this replica's: its lease no longer matters).
     */
    public boolean renew(String id, String replica, long leaseUntil) {
        return Jdbc.update(db, "UPDATE runs SET lease_until = ? WHERE id = ? AND replica = ?", leaseUntil, id, replica) == 1;
    }

    public boolean cancelRequested(String id) {
        boolean[] asked = {false};
        Jdbc.query(db, "SELECT cancel_requested FROM runs WHERE id = ?", rs -> asked[0] = rs.getBoolean(1), id);
        return asked[0];
    }

    /** Marks a claimed run to be cancelled by whichever replica runs it; false if it is not running anywhere. */
    public boolean requestCancel(String id) {
        return Jdbc.update(db, "UPDATE runs SET cancel_requested = TRUE WHERE id = ? AND " + ACTIVE, id) == 1;
    }

    /** This replica's claims end now (it restarted under the same id): the next sweep queues their runs again. */
    public void expireClaims(String replica) {
        Jdbc.update(db, "UPDATE runs SET lease_until = 0 WHERE replica = ? AND " + ACTIVE, replica);
    }

    public List<Expired> expired(long now) {
        List<Expired> out = new ArrayList<>();
        Jdbc.query(db, "SELECT id, attempts FROM runs WHERE " + ACTIVE + " AND lease_until < ?",
                rs -> out.add(new Expired(rs.getString(1), rs.getInt(2))), now);
        return out;
    }

    /**
     * Puts a run whose lease ran out back in the queue, with its event; empty if another replica did first or the
     * lease was renewed.
     */
    public Optional<RunEvent> requeueExpired(String id, long now, String type, String data) {
        return transition(id, type, data, "UPDATE runs SET state = 'queued', replica = NULL, queued_at = ?, lease_until = NULL WHERE id = ? AND "
                + ACTIVE + " AND lease_until < ?", now, id, now);
    }

    /** Fails a run whose lease ran out for the last time; false if another replica did first. */
    public boolean failExpired(String id, long now, String error) {
        return Jdbc.update(db, "UPDATE runs SET state = ?, error = ?, finished_at = ?, lease_until = NULL WHERE id = ? AND "
                + ACTIVE + " AND lease_until < ?", RunState.FAILED.key(), error, java.sql.Timestamp.from(Instant.ofEpochMilli(now)),
                id, now) == 1;
    }

    /** Gives a run this replica holds back to the queue (it is stopping), with its event; empty if it was not this replica's. */
    public Optional<RunEvent> release(String id, String replica, long now, String type, String data) {
        return transition(id, type, data, "UPDATE runs SET state = 'queued', replica = NULL, queued_at = ?, lease_until = NULL WHERE id = ? AND replica = ? AND "
                + ACTIVE, now, id, replica);
    }

    /**
     * A run back to the queue and its event, numbered after the stored ones, in one transaction: the run's row stays
     * locked until both are in, so a replica claiming it (SKIP LOCKED passes it by meanwhile) numbers its own events
     * after this one.
     */
    private Optional<RunEvent> transition(String id, String type, String data, String update, Object... args) {
        return Jdbc.transaction(db, c -> {
            try (PreparedStatement st = Jdbc.bind(c.prepareStatement(update), args)) {
                if (st.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            long seq;
            try (PreparedStatement st = Jdbc.bind(c.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM run_events WHERE run_id = ?"), id);
                 var rs = st.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
            }
            try (PreparedStatement st = Jdbc.bind(c.prepareStatement("INSERT INTO run_events (run_id, seq, type, data) VALUES (?, ?, ?, ?)"),
                    id, seq, type, data)) {
                st.executeUpdate();
            }
            return Optional.of(new RunEvent(seq, type, data));
        });
    }

    public int queued() {
        int[] n = {0};
        Jdbc.query(db, "SELECT COUNT(*) FROM runs WHERE state = 'queued'", rs -> n[0] = rs.getInt(1));
        return n[0];
    }

    /** Writes this replica's row and the models it holds warm, in one transaction; forgets replicas long dead. */
    public void heartbeat(String replica, String url, List<WarmModel> warm, long memoryFree, long now, long forgetBefore) {
        Jdbc.transaction(db, c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO replicas (id, url, memory_free, heartbeat) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, memory_free = EXCLUDED.memory_free, heartbeat = EXCLUDED.heartbeat")) {
                Jdbc.bind(st, replica, url, memoryFree, now).executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM replica_models WHERE replica = ?")) {
                Jdbc.bind(st, replica).executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO replica_models (replica, model, dtype) VALUES (?, ?, ?)")) {
                for (WarmModel m : warm) {
                    Jdbc.bind(st, replica, m.model(), m.dtype()).addBatch();
                }
                st.executeBatch();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM replica_models WHERE replica IN"
                    + " (SELECT id FROM replicas WHERE heartbeat < ?)")) {
                Jdbc.bind(st, forgetBefore).executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM replicas WHERE heartbeat < ?")) {
                Jdbc.bind(st, forgetBefore).executeUpdate();
            }
            return null;
        });
    }

    /** This replica leaves the cluster (a clean stop). */
    public void leave(String replica) {
        Jdbc.update(db, "DELETE FROM replica_models WHERE replica = ?", replica);
        Jdbc.update(db, "DELETE FROM replicas WHERE id = ?", replica);
    }

    /** The replicas whose last heartbeat is at or after {@code aliveSince}, with their models and current runs. */
    public List<ReplicaInfo> replicas(long aliveSince) {
        record Row(String id, String url, long memoryFree, long heartbeat) {}
        List<Row> rows = new ArrayList<>();
        Jdbc.query(db, "SELECT id, url, memory_free, heartbeat FROM replicas WHERE heartbeat >= ? ORDER BY id",
                rs -> rows.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4))), aliveSince);
        Map<String, List<String>> models = new LinkedHashMap<>();
        Jdbc.query(db, "SELECT DISTINCT replica, model FROM replica_models ORDER BY model",
                rs -> models.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2)));
        Map<String, List<String>> runs = new LinkedHashMap<>();
        Jdbc.query(db, "SELECT replica, id FROM runs WHERE " + ACTIVE + " ORDER BY created_at",
                rs -> runs.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2)));
        return rows.stream().map(r -> new ReplicaInfo(r.id(), r.url(), models.getOrDefault(r.id(), List.of()), r.memoryFree(),
                runs.getOrDefault(r.id(), List.of()), Instant.ofEpochMilli(r.heartbeat()))).toList();
    }

    /** Sends a notification; it reaches the listeners when this statement's transaction commits (here: at once). */
    public void notify(String channel, String payload) {
        Jdbc.query(db, "SELECT pg_notify(?, ?)", rs -> {}, channel, payload);
    }
}
