package io.lensboard.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Runs' event logs: each event is numbered (its run's next sequence number, continuing the stored ones), stored,
 * then published on the Vert.x event bus at {@link #address}, so a follower that replays the store and then
 * listens ({@link RunFeed}) misses nothing. Other replicas hear of it through {@code relay} (with PostgreSQL).
 */
public final class EventLog {
    private final RunStore store;
    private final Vertx vertx;
    private final ObjectMapper json;
    private final BiConsumer<String, RunEvent> relay;
    /** The last number of each run this replica numbers events of: the one it executes, or a local queue's. */
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();

    EventLog(RunStore store, Vertx vertx, ObjectMapper json, BiConsumer<String, RunEvent> relay) {
        this.store = store;
        this.vertx = vertx;
        this.json = json;
        this.relay = relay;
    }

    public static String address(String runId) {
        return "lensboard.runs." + runId;
    }

    /** Where every follower on this replica is told to catch up from the store ({@link #resync}). */
    public static final String RESYNC = "lensboard.runs.resync";

    /** Stores the event under the run's next number (counted here from the store's last), then publishes it. */
    public void emit(String id, String type, Object data) {
        long seq = sequences.computeIfAbsent(id, k -> new AtomicLong(store.lastSeq(k))).incrementAndGet();
        append(id, new RunEvent(seq, type, write(data)));
    }

    /**
     * A run step's events ({@code type}, {@code data} pairs), numbered on and stored in one transaction, then published:
     * after a crash the store holds a step's events whole or not at all.
     */
    public void emitStep(String id, int step, List<Map.Entry<String, Object>> events) {
        if (events.isEmpty()) {
            return;
        }
        AtomicLong counted = sequences.computeIfAbsent(id, k -> new AtomicLong(store.lastSeq(k)));
        long first = counted.get() + 1;
        List<RunEvent> numbered = new ArrayList<>(events.size());
        for (Map.Entry<String, Object> e : events) {
            numbered.add(new RunEvent(first + numbered.size(), e.getKey(), write(e.getValue())));
        }
        store.appendStep(id, step, numbered);
        counted.set(first + numbered.size() - 1); // counted only once stored: a failed step leaves the count as it was
        numbered.forEach(e -> publish(id, e));
    }

    /**
     * An event for a run another replica may number before or after (queued, cancelled while queued, failed after
     * its replica died): numbered from the store, and not remembered, unless this replica numbers the run's events.
     */
    public void emitShared(String id, String type, Object data) {
        AtomicLong counted = sequences.get(id);
        long seq = counted != null ? counted.incrementAndGet() : store.lastSeq(id) + 1;
        append(id, new RunEvent(seq, type, write(data)));
    }

    private void append(String id, RunEvent event) {
        store.append(id, event);
        publish(id, event);
    }

    /** Sends a stored event to the viewers: this replica's on its event bus, other replicas' through the relay. */
    public void publish(String id, RunEvent e) {
        deliver(id, e);
        relay.accept(id, e);
    }

    /** Sends an event stored elsewhere (by another replica) to this replica's viewers. */
    public void deliver(String id, RunEvent e) {
        vertx.eventBus().publish(address(id), e.message());
    }

    /**
     * Events may have been stored without reaching this replica's bus (its LISTEN connection was lost a while): each
     * follower reads the stored events after the last one it sent.
     */
    public void resync() {
        vertx.eventBus().publish(RESYNC, null);
    }

    /** Forgets the run's count: the next event reads the store's last number (another replica may have added some). */
    public void forget(String id) {
        sequences.remove(id);
    }

    /** An event's data as stored: JSON as the application writes it (non-finite numbers as "NaN", "Infinity"). */
    public String write(Object data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
