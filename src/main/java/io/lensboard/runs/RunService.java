package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.LensboardConfig;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.runs.cluster.ClusterQueue;
import io.lensboard.runs.cluster.Replica;
import io.lensboard.runs.cluster.ReplicaInfo;
import io.lensboard.storage.Storage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Long analyses as the web layer sees them: submit (checked by {@link Submission}), cancel, find, list, events. The
 * parts behind it: the {@link RunQueue} where runs wait (this process's with H2, the cluster's with PostgreSQL),
 * the {@link RunLoop} that runs them one at a time, the {@link EventLog} that numbers, stores and publishes their
 * events, all on the database that {@link Storage} opens; this class only wires them and answers.
 */
@ApplicationScoped
public class RunService {
    private static final Logger LOG = Logger.getLogger(RunService.class);

    @Inject
    Storage storage;

    @Inject
    Submission submission;

    @Inject
    ModelPool pool;

    @Inject
    RunKinds kinds;

    @Inject
    ObjectMapper json;

    @Inject
    Vertx vertx;

    @Inject
    DataSource dataSource;

    @Inject
    LensboardConfig config;

    @ConfigProperty(name = "quarkus.http.port")
    int port;

    private RunStore store;
    private RunLoop loop;
    private RunQueue queue;

    /**
     * Wires the parts once {@link Storage} has migrated the database (it starts first); a database that cannot be
     * used leaves the service up, refusing runs with the reason.
     */
    void start(@Observes StartupEvent startup) {
        Replica replica = Replica.of(config.cluster().replicaId(), config.cluster().url(), port);
        store = new RunStore(dataSource, json);
        EventLog log = new EventLog(store, vertx, json, (id, e) -> queue.published(id, e));
        boolean usable = storage.problem().isEmpty();
        // only a cluster resumes runs (on another replica); a single process marks them interrupted at its next start
        Checkpoints checkpoints = usable && storage.postgresql() ? new Checkpoints(dataSource, config.cluster().checkpointEvery(),
                config.cluster().checkpointMaxSize().asLongValue()) : Checkpoints.none();
        loop = new RunLoop(pool, kinds, json, store, log, replica.id(), checkpoints);
        queue = usable && storage.postgresql() ? new ClusterQueue(loop, log, store, dataSource, replica, config, pool, json,
                checkpoints)
                : new LocalQueue(loop, store, log, pool, replica, config.runs().queueLimit());
        if (!usable) {
            return;
        }
        try {
            queue.start();
            if (storage.postgresql()) {
                LOG.infof("replica %s (%s) joined the cluster", replica.id(), replica.url());
            }
        } catch (Exception e) {
            storage.unusable(e);
        }
    }

    /**
     * Stops cleanly: the running run (after its current step, before the device goes away) and, with H2, queued ones
     * are marked interrupted once, here, so the next start finds nothing to mark; a cluster's queue stays for the
     * other replicas, and the running run goes back to it.
     */
    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        loop.stop(queue::stop);
        queue.close();
    }

    /** Validates and queues a run; 400, 404 or 429-style exceptions before anything is stored. */
    public RunRecord submit(String kindName, String model, JsonNode params) {
        return submit(kindName, model, null, params);
    }

    /** As {@link #submit(String, String, JsonNode)} with the model held in {@code dtype} (null: its default). */
    public RunRecord submit(String kindName, String model, String dtype, JsonNode params) {
        return submitAll(List.of(new NewRun(kindName, model, dtype, params))).get(0);
    }

    /**
     * Validates every run of a batch, then stores and queues them together, or none: a batch is refused (429) only
     * when the queue is already full, so one request can start a table of runs however long it is.
     */
    public List<RunRecord> submitAll(List<NewRun> batch) {
        List<RunRecord> runs = submission.check(batch);
        store(); // 503 with the reason when runs cannot be stored
        queue.submit(runs);
        return runs;
    }

    /**
     * Stops a run: a queued one at once (its queue slot is free again), a running one after its current step.
     * Returns the run as it is after the request.
     */
    public RunRecord cancel(String id) {
        queue.cancel(find(id));
        return find(id);
    }

    public RunRecord find(String id) {
        return store().find(id).orElseThrow(() -> new UnknownRunException("no run '" + id + "' (GET /api/runs lists them)"));
    }

    /** The newest runs first. */
    public List<RunRecord> list(int limit) {
        return store().list(limit);
    }

    /** The newest runs that pass the filter. */
    public List<RunRecord> list(int limit, RunFilter filter) {
        return store().list(limit, filter);
    }

    /** A run's stored events after {@code afterSeq}, in order. */
    public List<RunEvent> events(String id, long afterSeq) {
        return store().events(id, afterSeq);
    }

    /** This replica and, with PostgreSQL, every live one: models warm, memory free, runs, last heartbeat. */
    public List<ReplicaInfo> replicas() {
        return queue.replicas();
    }

    /** Where a run's events are published on the Vert.x event bus, as {@link RunEvent#message()}s. */
    public static String address(String runId) {
        return EventLog.address(runId);
    }

    /** The run store, or a 503 naming why runs cannot be stored. */
    RunStore store() {
        storage.require("runs");
        return store;
    }

    /** Marks the runs the last process left unfinished interrupted (what a start with H2 does). */
    void recover() {
        loop.recover();
    }

    String newId() {
        return submission.newId();
    }
}
