package io.lensboard.runs.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.LensboardConfig;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.runs.Checkpoints;
import io.lensboard.runs.EventLog;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunFeed;
import io.lensboard.runs.RunLoop;
import io.lensboard.runs.RunQueue;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import io.lensboard.runs.RunStore;
import io.lensboard.runs.TooManyRunsException;
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
 * The queue of a cluster (several replicas on one PostgreSQL): runs are stored as queued and the run thread of the
 * first replica free to take one claims it; a heartbeat thread reports this replica (models warm, memory free), renews the
 * lease of the run it executes and queues again the runs of replicas whose lease ran out; a listener thread brings
 * other replicas' run events onto this replica's event bus (so {@link RunFeed} works unchanged), wakes the run
 * thread when a run is queued anywhere and passes on cancels asked elsewhere.
 */
public final class ClusterQueue implements RunQueue {
    private static final Logger LOG = Logger.getLogger(ClusterQueue.class);
    /** NOTIFY carries at most 8000 bytes; a longer event goes by id and seq and is read from the store. */
    private static final int NOTIFY_LIMIT = 7000;

    private final RunLoop loop;
    private final EventLog log;
    private final RunStore runs;
    private final int queueLimit;
    private final ClusterStore store;
    private final Replica me;
    private final LensboardConfig.Cluster config;
    private final ModelPool pool;
    private final ObjectMapper json;
    private final Notifications notifications;
    private final Checkpoints checkpoints;
    private final Semaphore work = new Semaphore(0);
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lensboard-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public ClusterQueue(RunLoop loop, EventLog log, RunStore runs, DataSource db, Replica me, LensboardConfig config, ModelPool pool,
                        ObjectMapper json, Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.loop = loop;
        this.log = log;
        this.runs = runs;
        this.queueLimit = config.runs().queueLimit();
        this.store = new ClusterStore(db);
        this.me = me;
        this.config = config.cluster();
        this.pool = pool;
        this.json = json;
        this.notifications = new Notifications(db, List.of(ClusterStore.EVENTS, ClusterStore.QUEUE), this::heard,
                this::reconnected);
    }

    /**
     * Joins the cluster (runs this replica held before a restart under the same id are queued again by the first
     * beat); the run thread then claims runs.
     */
    @Override
    public void start() throws SQLException {
        store.expireClaims(me.id());
        notifications.start();
        beat();
        long every = config.heartbeat().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beatLogged, every, every, TimeUnit.MILLISECONDS);
        loop.execute(this::claimLoop);
    }

    /** Stores the runs as queued with their first event, so a replica claiming one at once numbers its events after it. */
    @Override
    public void submit(List<RunRecord> batch) {
        if (store.queued() >= queueLimit) {
            throw new TooManyRunsException("the run queue is full (" + queueLimit + " queued); wait for runs to finish or cancel some");
        }
        RunEvent first = new RunEvent(1, "state", log.write(Map.of("state", RunState.QUEUED.key())));
        runs.insertAll(batch, first);
        batch.forEach(run -> log.publish(run.id(), first));
        queued();
    }

    /** A queued run is cancelled at once; a running one's replica is told, wherever it runs. */
    @Override
    public void cancel(RunRecord run) {
        if (runs.cancelQueued(run.id())) {
            checkpoints.delete(run.id()); // queued again after its replica died, it may have one
            log.emitShared(run.id(), "done", Map.of("state", RunState.CANCELLED.key()));
        } else if (!run.state().finished() && !requestCancel(run.id())) {
            LOG.debugf("run %s finished while its cancel was asked", run.id());
        }
    }

    /** The run thread's loop: claim a run and execute it, or wait for a notification (at most one heartbeat). */
    private void claimLoop() {
        while (!loop.stopping()) {
            try {
                Optional<String> id = claim();
                if (id.isPresent()) {
                    if (!loop.run(id.get())) {
                        release(id.get());
                    }
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
     * A run for this replica: one of a model it holds warm in the run's dtype, else one that has waited {@code warm-wait} for a replica
     * holding its model warm, else one whose model no live replica holds warm.
     */
    private Optional<String> claim() {
        long now = System.currentTimeMillis();
        return store.claim(me.id(), warm(), now, now + config.lease().toMillis(), now - config.warmWait().toMillis(), aliveSince(now));
    }

    private List<WarmModel> warm() {
        return pool.loaded().stream().map(m -> new WarmModel(m.id(), m.dtype().id)).toList();
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
        String current = loop.executing();
        if (current != null) {
            if (!store.renew(current, me.id(), now + lease)) {
                loop.lost(current);
            } else if (store.cancelRequested(current)) {
                cancelHere(current);
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
                checkpoints.delete(e.id());
                log.emitShared(e.id(), "done", Map.of("state", RunState.FAILED.key(), "error", error));
            }
        } else {
            store.requeueExpired(e.id(), now, "state", log.write(Map.of("state", RunState.QUEUED.key(), "attempts", e.attempts(),
                    "reason", "the replica running it stopped answering"))).ifPresent(event -> {
                LOG.infof("run %s: its replica stopped answering; queued again (attempt %d of %d next)", e.id(), e.attempts() + 1,
                        config.maxAttempts());
                log.publish(e.id(), event);
                queued();
            });
        }
    }

    /** A run entered the queue: every replica's run thread looks for it. */
    private void queued() {
        work.release();
        store.notify(ClusterStore.QUEUE, "queued");
    }

    /** Passes a cancel on to the replica running the run; false if no replica runs it. */
    private boolean requestCancel(String id) {
        if (!store.requestCancel(id)) {
            return false;
        }
        store.notify(ClusterStore.QUEUE, "cancel:" + id);
        return true;
    }

    /** A cancel asked on another replica (or seen by the heartbeat), for the run this one executes if it is that one. */
    private void cancelHere(String id) {
        if (id.equals(loop.executing())) {
            loop.cancel(id);
        }
    }

    /** Sends a stored event to the other replicas' viewers. */
    @Override
    public void published(String run, RunEvent e) {
        ObjectNode n = json.createObjectNode().put("replica", me.id()).put("run", run).put("seq", e.seq()).put("type", e.type());
        if (e.data().length() <= NOTIFY_LIMIT) {
            n.put("data", e.data());
        }
        store.notify(ClusterStore.EVENTS, n.toString());
    }

    /** Gives the run back to the queue as this replica stops; another replica takes it. */
    private void release(String id) {
        store.release(id, me.id(), System.currentTimeMillis(), "state",
                log.write(Map.of("state", RunState.QUEUED.key(), "reason", "the replica running it stopped"))).ifPresent(event -> {
            log.publish(id, event);
            store.notify(ClusterStore.QUEUE, "queued");
        });
    }

    /** Ends the run thread's wait for work at once (the service stops); queued runs stay for the other replicas. */
    @Override
    public void stop() {
        work.release();
    }

    @Override
    public List<ReplicaInfo> replicas() {
        return store.replicas(aliveSince(System.currentTimeMillis()));
    }

    /** On the listener thread: another replica's event onto the local bus, a wake-up, or a cancel. */
    private void heard(String channel, String payload) {
        if (channel.equals(ClusterStore.QUEUE)) {
            if (payload.startsWith("cancel:")) {
                cancelHere(payload.substring("cancel:".length()));
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
        log.deliver(run, new RunEvent(seq, e.getString("type"), data));
    }

    /**
     * On the listener thread, once it listens again after a broken connection: the events and queue changes notified
     * meanwhile were lost, so this replica's followers catch up from the store and the run thread looks for work.
     */
    private void reconnected() {
        log.resync();
        work.release();
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
