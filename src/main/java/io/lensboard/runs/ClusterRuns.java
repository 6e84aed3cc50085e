package io.lensboard.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.LensboardConfig;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.runs.cluster.ClusterStore;
import io.lensboard.runs.cluster.Notifications;
import io.lensboard.runs.cluster.Replica;
import io.lensboard.runs.cluster.ReplicaInfo;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The run loop's side of a cluster (several replicas on one PostgreSQL). The run thread claims queued runs instead
 * of taking them from a local queue; a heartbeat thread reports this replica (models warm, memory free), renews the
 * lease of the run it executes and queues again the runs of replicas whose lease ran out; a listener thread brings
 * other replicas' run events onto this replica's event bus (so {@link RunFeed} works unchanged), wakes the run
 * thread when a run is queued anywhere and passes on cancels asked elsewhere.
 */
final class ClusterRuns implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterRuns.class);
    /** NOTIFY carries at most 8000 bytes; a longer event goes by id and seq and is read from the store. */
    private static final int NOTIFY_LIMIT = 7000;

    private final RunService runs;
    private final ClusterStore store;
    private final Replica me;
    private final LensboardConfig.Cluster config;
    private final ModelPool pool;
    private final Vertx vertx;
    private final ObjectMapper json;
    private final Notifications notifications;
    private final Semaphore work = new Semaphore(0);
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lensboard-heartbeat");
        t.setDaemon(true);
        return t;
    });

    ClusterRuns(RunService runs, DataSource db, Replica me, LensboardConfig.Cluster config, ModelPool pool, Vertx vertx, ObjectMapper json) {
        this.runs = runs;
        this.store = new ClusterStore(db);
        this.me = me;
        this.config = config;
        this.pool = pool;
        this.vertx = vertx;
        this.json = json;
        this.notifications = new Notifications(db, List.of(ClusterStore.EVENTS, ClusterStore.QUEUE), this::heard);
    }

    /** Joins the cluster: runs this replica held before a restart under the same id are queued again by the first beat. */
    void start() throws SQLException {
        store.expireClaims(me.id());
        notifications.start();
        beat();
        long every = config.heartbeat().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beatLogged, every, every, TimeUnit.MILLISECONDS);
    }

    /** The run thread's loop: claim a run and execute it, or wait for a notification (at most one heartbeat). */
    void claimLoop() {
        while (!runs.stopping()) {
            try {
                Optional<String> id = claim();
                if (id.isPresent()) {
                    runs.executeClaimed(id.get());
                } else {
                    work.tryAcquire(config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
                    work.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("claiming a run failed (%s); trying again", e.getMessage());
                pause();
            }
        }
    }

    /**
     * A run for this replica: one of a model it holds warm, else one that has waited {@code warm-wait} for a replica
     * holding its model warm, else one whose model no live replica holds warm.
     */
    private Optional<String> claim() {
        long now = System.currentTimeMillis();
        return store.claim(me.id(), warm(), now, now + config.lease().toMillis(), now - config.warmWait().toMillis(), aliveSince(now));
    }

    private List<String> warm() {
        return pool.loaded().stream().map(LoadedModel::id).toList();
    }

    /** A replica is alive while its last heartbeat is younger than a lease. */
    private long aliveSince(long now) {
        return now - config.lease().toMillis();
    }

    private void beatLogged() {
        try {
            beat();
        } catch (RuntimeException e) {
            LOG.warnf("heartbeat failed (%s); this replica's lease runs out unless the next one succeeds", e.getMessage());
        }
    }

    private void beat() {
        long now = System.currentTimeMillis();
        long lease = config.lease().toMillis();
        store.heartbeat(me.id(), me.url(), warm(), pool.memoryFree(), now, now - 10 * lease);
        String current = runs.executing();
        if (current != null) {
            if (!store.renew(current, me.id(), now + lease)) {
                runs.lost(current);
            } else if (store.cancelRequested(current)) {
                runs.cancelLocally(current);
            }
        }
        for (ClusterStore.Expired e : store.expired(now)) {
            sweep(e, now);
        }
    }

    /** A run whose replica stopped renewing its lease: queued again, or failed for good after the last attempt. */
    private void sweep(ClusterStore.Expired e, long now) {
        if (e.attempts() >= config.maxAttempts()) {
            String error = "the replica running it stopped answering, " + e.attempts() + " times (at most "
                    + config.maxAttempts() + " attempts)";
            if (store.failExpired(e.id(), now, error)) {
                runs.emitElsewhere(e.id(), "done", Map.of("state", RunState.FAILED.key(), "error", error));
            }
        } else {
            store.requeueExpired(e.id(), now, "state", write(Map.of("state", RunState.QUEUED.key(), "attempts", e.attempts(),
                    "reason", "the replica running it stopped answering"))).ifPresent(event -> {
                LOG.infof("run %s: its replica stopped answering; queued again (attempt %d of %d next)", e.id(), e.attempts() + 1,
                        config.maxAttempts());
                runs.publish(e.id(), event);
                queued();
            });
        }
    }

    private String write(Object data) {
        return json.valueToTree(data).toString();
    }

    /** A run entered the queue: every replica's run thread looks for it. */
    void queued() {
        work.release();
        store.notify(ClusterStore.QUEUE, "queued");
    }

    /** Passes a cancel on to the replica running the run; false if no replica runs it. */
    boolean requestCancel(String id) {
        if (!store.requestCancel(id)) {
            return false;
        }
        store.notify(ClusterStore.QUEUE, "cancel:" + id);
        return true;
    }

    /** Sends a stored event to the other replicas' viewers. */
    void published(String run, long seq, String type, String data) {
        ObjectNode n = json.createObjectNode().put("replica", me.id()).put("run", run).put("seq", seq).put("type", type);
        if (data.length() <= NOTIFY_LIMIT) {
            n.put("data", data);
        }
        store.notify(ClusterStore.EVENTS, n.toString());
    }

    /** Gives the run back to the queue as this replica stops; another replica takes it. */
    void release(String id) {
        store.release(id, me.id(), System.currentTimeMillis(), "state",
                write(Map.of("state", RunState.QUEUED.key(), "reason", "the replica running it stopped"))).ifPresent(event -> {
            runs.publish(id, event);
            store.notify(ClusterStore.QUEUE, "queued");
        });
    }

    /** Ends the run thread's wait for work at once (the service stops). */
    void wake() {
        work.release();
    }

    int queuedRuns() {
        return store.queued();
    }

    List<ReplicaInfo> replicas() {
        return store.replicas(aliveSince(System.currentTimeMillis()));
    }

    /** On the listener thread: another replica's event onto the local bus, a wake-up, or a cancel. */
    private void heard(String channel, String payload) {
        if (channel.equals(ClusterStore.QUEUE)) {
            if (payload.startsWith("cancel:")) {
                runs.cancelLocally(payload.substring("cancel:".length()));
            } else {
                work.release();
            }
            return;
        }
        JsonObject e = new JsonObject(payload);
        if (me.id().equals(e.getString("replica"))) {
            return; // published here already, when it was stored
        }
        String run = e.getString("run");
        long seq = e.getLong("seq");
        String data = e.containsKey("data") ? e.getString("data")
                : runs.events(run, seq - 1).stream().filter(x -> x.seq() == seq).findFirst().map(RunEvent::data).orElse("{}");
        vertx.eventBus().publish(RunService.address(run), new JsonObject().put("seq", seq).put("type", e.getString("type")).put("data", data));
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Leaves the cluster: no more beats or notifications, and this replica's row is removed. */
    @Override
    public void close() throws InterruptedException {
        heartbeat.shutdownNow();
        heartbeat.awaitTermination(5, TimeUnit.SECONDS);
        notifications.close();
        try {
            store.leave(me.id());
        } catch (RuntimeException e) {
            LOG.warnf("could not remove this replica's row (%s); it is forgotten when its heartbeat is old", e.getMessage());
        }
    }
}
