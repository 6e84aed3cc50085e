package io.lensboard.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Runs, their event logs and grids of runs (alignment tables, studies) in SQL (H2 by default, PostgreSQL by configuration; schema by Flyway).
 * Writes are single statements, so a crash mid-run leaves every stored row whole.
 */
public class RunStore {
    private final DataSource db;
    private final ObjectMapper json;

    public RunStore(DataSource db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    public static final String INTERRUPTED = "the service restarted while this run was unfinished";

    public void insert(RunRecord r) {
        insertAll(List.of(r));
    }

    public void insertAll(List<RunRecord> runs) {
        insertAll(runs, null);
    }

    /** Stores the runs in one transaction, each with its first event when one is given: all of them, or none. */
    public void insertAll(List<RunRecord> runs, RunEvent first) {
        Jdbc.transaction(db, c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO runs (id, kind, model, params, state, created_at, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (RunRecord r : runs) {
                    bind(st, r.id(), r.kind(), r.model(), write(r.params()), r.state().key(), Timestamp.from(r.createdAt()),
                            r.createdAt().toEpochMilli()).addBatch();
                }
                st.executeBatch();
            }
            if (first != null) {
                try (PreparedStatement events = c.prepareStatement("INSERT INTO run_events (run_id, seq, type, data) VALUES (?, ?, ?, ?)")) {
                    for (RunRecord r : runs) {
                        bind(events, r.id(), first.seq(), first.type(), first.data()).addBatch();
                    }
                    events.executeBatch();
                }
            }
            return null;
        });
    }

    /** The replica starts the run: loading, one more attempt, that replica's from now on. */
    public void start(String id, String replica) {
        update("UPDATE runs SET state = ?, replica = ?, attempts = attempts + 1 WHERE id = ?", RunState.LOADING.key(), replica, id);
    }

    /**
     * As {@link #state}, only while the run is still the replica's: a replica whose claim lapsed (it was thought dead
     * and another took the run over) writes nothing. Returns whether it wrote.
     */
    public boolean state(String id, String replica, RunState state, String error) {
        Timestamp now = Timestamp.from(Instant.now());
        if (state == RunState.RUNNING) {
            return update("UPDATE runs SET state = ?, started_at = ? WHERE id = ? AND replica = ?", state.key(), now, id, replica) == 1;
        } else if (state.finished()) {
            return update("UPDATE runs SET state = ?, error = ?, finished_at = ? WHERE id = ? AND replica = ?",
                    state.key(), error, now, id, replica) == 1;
        }
        return update("UPDATE runs SET state = ? WHERE id = ? AND replica = ?", state.key(), id, replica) == 1;
    }

    /** Cancels the run if it is still queued (no replica has claimed it); returns whether it did. */
    public boolean cancelQueued(String id) {
        return update("UPDATE runs SET state = ?, finished_at = ? WHERE id = ? AND state = ?",
                RunState.CANCELLED.key(), Timestamp.from(Instant.now()), id, RunState.QUEUED.key()) == 1;
    }

    public void state(String id, RunState state, String error) {
        Timestamp now = Timestamp.from(Instant.now());
        if (state == RunState.RUNNING) {
            update("UPDATE runs SET state = ?, started_at = ? WHERE id = ?", state.key(), now, id);
        } else if (state.finished()) {
            update("UPDATE runs SET state = ?, error = ?, finished_at = ? WHERE id = ?", state.key(), error, now, id);
        } else {
            update("UPDATE runs SET state = ? WHERE id = ?", state.key(), id);
        }
    }

    public void result(String id, JsonNode result) {
        update("UPDATE runs SET result = ? WHERE id = ?", write(result), id);
    }

    public void append(String id, RunEvent e) {
        update("INSERT INTO run_events (run_id, seq, type, data) VALUES (?, ?, ?, ?)", id, e.seq(), e.type(), e.data());
    }

    /** One run step's events, all of them or (on any failure) none, each under that step's number. */
    public void appendStep(String id, int step, List<RunEvent> events) {
        if (events.size() == 1) { // one statement is whole by itself: no transaction's extra round trip per step
            RunEvent e = events.get(0);
            update("INSERT INTO run_events (run_id, seq, type, data, step) VALUES (?, ?, ?, ?, ?)", id, e.seq(), e.type(), e.data(), step);
            return;
        }
        Jdbc.transaction(db, c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO run_events (run_id, seq, type, data, step) VALUES (?, ?, ?, ?, ?)")) {
                for (RunEvent e : events) {
                    bind(st, id, e.seq(), e.type(), e.data(), step).addBatch();
                }
                st.executeBatch();
            }
            return null;
        });
    }

    /**
     * The last run step whose events are stored (0: the job's opening; -1: none), of any attempt: a replica taking the
     * run over stores nothing up to it again.
     */
    public int lastStep(String id) {
        int[] last = {-1};
        query("SELECT MAX(step) FROM run_events WHERE run_id = ?", rs -> last[0] = rs.getObject(1) == null ? -1 : rs.getInt(1), id);
        return last[0];
    }

    public List<RunEvent> events(String id, long afterSeq) {
        List<RunEvent> out = new ArrayList<>();
        query("SELECT seq, type, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq", rs -> {
            out.add(new RunEvent(rs.getLong(1), rs.getString(2), rs.getString(3)));
        }, id, afterSeq);
        return out;
    }

    /** At most {@code limit} of the run's events after {@code afterSeq}, in order: a viewer's replay reads its run a page at a time. */
    public List<RunEvent> events(String id, long afterSeq, int limit) {
        List<RunEvent> out = new ArrayList<>();
        query("SELECT seq, type, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?", rs -> {
            out.add(new RunEvent(rs.getLong(1), rs.getString(2), rs.getString(3)));
        }, id, afterSeq, limit);
        return out;
    }

    public long lastSeq(String id) {
        long[] last = {0};
        query("SELECT MAX(seq) FROM run_events WHERE run_id = ?", rs -> last[0] = rs.getLong(1), id);
        return last[0];
    }

    public Optional<RunRecord> find(String id) {
        List<RunRecord> out = new ArrayList<>();
        query("SELECT " + COLUMNS + " FROM runs WHERE id = ?", rs -> out.add(record(rs)), id);
        return out.stream().findFirst();
    }

    public List<RunRecord> list(int limit) {
        return list(limit, RunFilter.ALL);
    }

    /** The newest runs that pass the filter (each of its parts, when set, must match exactly). */
    public List<RunRecord> list(int limit, RunFilter filter) {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        filter.kind().ifPresent(k -> { where.add("kind = ?"); args.add(k); });
        filter.model().ifPresent(m -> { where.add("model = ?"); args.add(m); });
        filter.state().ifPresent(st -> { where.add("state = ?"); args.add(st.key()); });
        args.add(limit);
        List<RunRecord> out = new ArrayList<>();
        query("SELECT " + COLUMNS + " FROM runs" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id LIMIT ?", rs -> out.add(record(rs)), args.toArray());
        return out;
    }

    /** After a restart: every run that was queued, loading or running is marked interrupted. Returns their ids. */
    public List<String> interruptUnfinished() {
        List<String> ids = new ArrayList<>();
        query("SELECT id FROM runs WHERE state IN ('queued', 'loading', 'running')", rs -> ids.add(rs.getString(1)));
        for (String id : ids) {
            state(id, RunState.INTERRUPTED, INTERRUPTED);
        }
        return ids;
    }

    /** Each axis's values under its name, the shared params, and the run ids cell by cell. */
    public void insert(RunGrid g) {
        ObjectNode spec = json.createObjectNode();
        for (int a = 0; a < g.values().size(); a++) {
            spec.set(g.table().axes().get(a).name(), json.valueToTree(g.values().get(a)));
        }
        spec.set("params", g.params());
        spec.set("runs", json.valueToTree(g.runs()));
        update("INSERT INTO " + g.table().sqlTable() + " (id, kind, spec, created_at) VALUES (?, ?, ?, ?)",
                g.id(), g.kind(), write(spec), Timestamp.from(g.createdAt()));
    }

    public Optional<RunGrid> findGrid(GridTable table, String id) {
        List<RunGrid> out = new ArrayList<>();
        query("SELECT id, kind, spec, created_at FROM " + table.sqlTable() + " WHERE id = ?", rs -> out.add(grid(table, rs)), id);
        return out.stream().findFirst();
    }

    public List<RunGrid> grids(GridTable table, int limit) {
        List<RunGrid> out = new ArrayList<>();
        query("SELECT id, kind, spec, created_at FROM " + table.sqlTable() + " ORDER BY created_at DESC, id LIMIT ?",
                rs -> out.add(grid(table, rs)), limit);
        return out;
    }

    private RunGrid grid(GridTable table, ResultSet rs) throws SQLException {
        JsonNode spec = read(rs.getString(3));
        List<List<Object>> values = table.axes().stream()
                .map(a -> json.convertValue(spec.get(a.name()), new TypeReference<List<Object>>() {})).toList();
        List<String> runs = new ArrayList<>();
        // tables stored before grids were shared hold their run ids as rows of columns
        spec.get("runs").forEach(r -> {
            if (r.isArray()) {
                r.forEach(id -> runs.add(id.asText()));
            } else {
                runs.add(r.asText());
            }
        });
        return new RunGrid(rs.getString(1), table, rs.getString(2), values, spec.get("params"), runs, instant(rs.getTimestamp(4)));
    }

    private static final String COLUMNS = "id, kind, model, params, state, error, result, created_at, started_at, finished_at, "
            + "replica, attempts";

    private RunRecord record(ResultSet rs) throws SQLException {
        return new RunRecord(rs.getString(1), rs.getString(2), rs.getString(3), read(rs.getString(4)),
                RunState.valueOf(rs.getString(5).toUpperCase()), rs.getString(6), read(rs.getString(7)),
                instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)), rs.getString(11),
                rs.getInt(12));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private JsonNode read(String s) {
        try {
            return s == null ? null : json.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getMessage(), e);
        }
    }

    private String write(JsonNode node) {
        return node == null ? null : node.toString();
    }

    private void query(String sql, Jdbc.Row row, Object... args) {
        Jdbc.query(db, sql, row, args);
    }

    private int update(String sql, Object... args) {
        return Jdbc.update(db, sql, args);
    }

    private static PreparedStatement bind(PreparedStatement st, Object... args) throws SQLException {
        return Jdbc.bind(st, args);
    }
}
