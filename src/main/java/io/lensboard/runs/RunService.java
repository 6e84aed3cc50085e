package io.lensboard.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.model.Dtype;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.LensboardConfig;
import io.lensboard.Threads;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import io.quarkus.runtime.ShutdownEvent;
import io.lensboard.DatabaseDriver;
import io.lensboard.runs.cluster.Replica;
import io.lensboard.runs.cluster.ReplicaInfo;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Queues, runs, stores and publishes long analyses, every kind through one loop: queue, load, steps, then
 * done, failed or cancelled. Runs go one at a time through a single run thread (one optimisation per device);
 * each step is a separate task on the device thread, so lens requests interleave with a running optimisation.
 * Every event is stored before it is published on the Vert.x event bus at {@link #address}, so a follower
 * that replays the store and then listens ({@link RunFeed}) misses nothing.
 * <p>With H2 (the default) this process owns its queue: runs wait in memory and are marked interrupted at the next
 * start if it stops. With PostgreSQL ({@link ClusterRuns}) the queue is the database's: any replica claims a queued
 * run, a run whose replica dies is queued again, and events reach every replica's bus through NOTIFY.
 */
@ApplicationScoped
public class RunService {
    private static final Logger LOG = Logger.getLogger(RunService.class);
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789";

    private final ExecutorService runThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lensboard-runs");
        t.setDaemon(true);
        return t;
    });
    /** Runs stored as queued whose task has not started: each holds one of the queue's slots. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private final AtomicInteger slots = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

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

    private RunStore store;

    @Inject
    Flyway flyway;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String databaseUrl;

    @ConfigProperty(name = "quarkus.http.port")
    int port;

    /** This process among the replicas; with H2, the only one. */
    private Replica replica;

    /** Set with PostgreSQL: claims, leases, heartbeat and other replicas' events. */
    private ClusterRuns cluster;

    /** The run the run thread executes now; the heartbeat renews its lease. */
    private volatile String executing;

    /** Runs this replica executes that another replica took over (its lease lapsed): abandoned without a write. */
    private final Set<String> lost = ConcurrentHashMap.newKeySet();

    private static final String STOPPED = "the service stopped while this run was unfinished";

    /** Set when the service stops: the running job ends after its step, queued ones never start. */
    private volatile boolean stopping;

    /**
     * Stops cleanly: queued runs and the running one (after its current step, before the device goes away) are
     * marked interrupted once, here, so the next start finds nothing to mark.
     */
    void stop(@Observes ShutdownEvent shutdown) throws InterruptedException {
        stopping = true;
        if (cluster != null) {
            cluster.wake();
        }
        for (String id : List.copyOf(waiting)) { // with PostgreSQL, none: the queue is the cluster's and stays
            if (waiting.remove(id)) {
                slots.decrementAndGet();
                finish(id, RunState.INTERRUPTED, STOPPED);
            }
        }
        runThread.shutdown();
        if (!runThread.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("a run step did not end within 30 s of the shutdown; its run is marked interrupted at the next start");
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    boolean stopping() {
        return stopping;
    }

    /** Why runs cannot be stored, when they cannot; the lens works regardless. */
    private volatile String storageProblem;

    /** Opens the store; a data directory that cannot be written leaves the service up, refusing runs with the reason. */
    void start(@Observes StartupEvent startup) {
        replica = Replica.of(config.cluster().replicaId(), config.cluster().url(), port);
        if (DatabaseDriver.isPostgresql(databaseUrl)) {
            startCluster();
            return;
        }
        Path dir = Path.of(config.dataDir()).toAbsolutePath();
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
            flyway.migrate();
            store = new RunStore(dataSource, json);
            recover();
        } catch (Exception e) {
            storageProblem = "runs cannot be stored: the data directory " + dir + " (LENSBOARD_DATA_DIR) cannot be used ("
                    + e.getMessage() + "); fix it and restart. The lens works meanwhile.";
            LOG.error(storageProblem);
        }
    }

    /** Joins the replicas sharing the PostgreSQL database; the run thread then claims runs from the shared queue. */
    private void startCluster() {
        try {
            flyway.migrate();
            store = new RunStore(dataSource, json);
            cluster = new ClusterRuns(this, dataSource, replica, config.cluster(), pool, vertx, json);
            cluster.start();
            runThread.execute(cluster::claimLoop);
            LOG.infof("replica %s (%s) joined the cluster", replica.id(), replica.url());
        } catch (Exception e) {
            storageProblem = "runs cannot be stored: the PostgreSQL database (LENSBOARD_DB_URL) cannot be used ("
                    + ModelPool.message(e) + "); fix it and restart. The lens works meanwhile.";
            LOG.error(storageProblem);
        }
    }

    /** This replica and, with PostgreSQL, every live one: models warm, memory free, runs, last heartbeat. */
    public List<ReplicaInfo> replicas() {
        if (cluster != null) {
            return cluster.replicas();
        }
        String current = executing;
        return List.of(new ReplicaInfo(replica.id(), replica.url(), pool.loaded().stream().map(LoadedModel::id).toList(),
                pool.memoryFree(), current == null ? List.of() : List.of(current), Instant.now()));
    }

    /** Why runs are refused, if they are. */
    public Optional<String> storageProblem() {
        return Optional.ofNullable(storageProblem);
    }

    /**
     * Marks every run left unfinished by the last process interrupted, with a {@code done} event numbered after its
     * stored ones, so a viewer resuming with Last-Event-ID learns of it.
     */
    void recover() {
        for (String id : store().interruptUnfinished()) {
            emit(id, "done", Map.of("state", RunState.INTERRUPTED.key(), "error", RunStore.INTERRUPTED));
            LOG.infof("run %s was unfinished at the last shutdown: marked interrupted", id);
        }
    }

    RunStore store() {
        if (storageProblem != null) {
            throw new StorageUnavailableException(storageProblem);
        }
        return store;
    }

    public static String address(String runId) {
        return "lensboard.runs." + runId;
    }

    /** What a run is asked to be; {@code dtype} null: the model's default, or what {@code params} carries. */
    public record NewRun(String kind, String model, String dtype, JsonNode params) {
        public NewRun(String kind, String model, JsonNode params) {
            this(kind, model, null, params);
        }
    }

    private record Checked(RunKind<?> kind, ModelRef ref, JsonNode params) {}

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
        List<Checked> checked = batch.stream().map(r -> batch.size() == 1 ? check(r) : checkInBatch(r)).toList();
        if (cluster != null) {
            return submitToCluster(checked);
        }
        int queueLimit = config.runs().queueLimit();
        if (slots.getAndAdd(checked.size()) >= queueLimit) {
            slots.addAndGet(-checked.size());
            throw new TooManyRunsException("the run queue is full (" + queueLimit + " queued); wait for runs to finish or cancel some");
        }
        List<RunRecord> runs = newRuns(checked);
        try {
            store().insertAll(runs);
        } catch (RuntimeException e) {
            slots.addAndGet(-runs.size()); // nothing was stored, so nothing waits
            throw e;
        }
        for (int i = 0; i < runs.size(); i++) {
            RunRecord run = runs.get(i);
            RunKind<?> kind = checked.get(i).kind();
            waiting.add(run.id());
            emit(run.id(), "state", Map.of("state", RunState.QUEUED.key()));
            runThread.execute(() -> execute(run, kind));
        }
        return runs;
    }

    /** Stores the runs as queued in the shared database, where the first replica free to take each claims it. */
    private List<RunRecord> submitToCluster(List<Checked> checked) {
        int queueLimit = config.runs().queueLimit();
        if (cluster.queuedRuns() >= queueLimit) {
            throw new TooManyRunsException("the run queue is full (" + queueLimit + " queued); wait for runs to finish or cancel some");
        }
        List<RunRecord> runs = newRuns(checked);
        RunEvent queued = new RunEvent(1, "state", json.valueToTree(Map.of("state", RunState.QUEUED.key())).toString());
        store().insertAll(runs, queued); // with their first event, so a replica claiming one at once numbers its events after it
        runs.forEach(run -> publish(run.id(), queued));
        cluster.queued();
        return runs;
    }

    private List<RunRecord> newRuns(List<Checked> checked) {
        Instant now = Instant.now();
        return checked.stream().map(c -> new RunRecord(newId(), c.kind().name(), c.ref().id(), c.params(), RunState.QUEUED, null,
                null, now, null, null)).toList();
    }

    /** As {@link #check}, the message saying which run of the batch is wrong. */
    private Checked checkInBatch(NewRun r) {
        try {
            return check(r);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(r.kind() + " on " + r.model() + " with " + r.params() + ": " + e.getMessage());
        }
    }

    /**
     * The kind's parameters checked and completed, with the dtype the model is held in stored beside them
     * ({@link RunRecord#DTYPE}): given, carried by parameters copied from another run, or the model's default.
     */
    private Checked check(NewRun r) {
        RunKind<?> kind = kinds.get(r.kind());
        ModelRef ref = pool.catalog().check(r.model());
        JsonNode given = r.params();
        String carried = given != null && given.isObject() && given.has(RunRecord.DTYPE) ? given.get(RunRecord.DTYPE).asText() : null;
        if (carried != null) {
            given = given.deepCopy();
            ((ObjectNode) given).remove(RunRecord.DTYPE);
        }
        String requested = r.dtype() != null ? r.dtype() : carried;
        Dtype dtype = pool.key(ref.id(), requested == null || requested.isBlank() ? null : Dtype.parse(requested)).dtype();
        Optional<ModelConfig> config = localConfig(ref);
        checkInput(kind, ref, config);
        ObjectNode params = (ObjectNode) normalise(kind, given, ref, config);
        params.put(RunRecord.DTYPE, dtype.id);
        return new Checked(kind, ref, params);
    }

    /** A text kind on an image model, or an image kind on a text model, is a 400 where the model's input is known. */
    private static void checkInput(RunKind<?> kind, ModelRef ref, Optional<ModelConfig> config) {
        Optional<Boolean> images = ref.isHybrid() ? Optional.of(true) : config.map(ModelConfig::takesImages);
        if (images.isPresent() && images.get() != kind.takesImages()) {
            throw new InvalidInputException("kind '" + kind.name() + "' takes " + (kind.takesImages() ? "images" : "text")
                    + " but model '" + ref.id() + "' reads " + (images.get() ? "images (a ViT or a hybrid)" : "text")
                    + ": choose a " + (kind.takesImages() ? "ViT or a hybrid STEM+STACK" : "language model") + " for it");
        }
    }

    private <P extends Record> JsonNode normalise(RunKind<P> kind, JsonNode params, ModelRef ref, Optional<ModelConfig> config) {
        P p = kind.complete(kind.schema().read(params), config);
        if (!kind.takesImages()) { // an image model has no tokenizer to check with
            config.ifPresent(c -> checkTokens(kind, p, ref, c));
        }
        return kind.schema().write(json, p);
    }

    /**
     * The kind's checks that need the tokenizer, where one is at hand without loading weights: a loaded model's (on
     * its device thread, which owns it) or a local checkpoint's, opened for the check. A hub model not yet
     * downloaded is checked when its run starts.
     */
    private <P extends Record> void checkTokens(RunKind<P> kind, P params, ModelRef ref, ModelConfig config) {
        Optional<LoadedModel> loaded = pool.loaded().stream().filter(m -> m.id().equals(ref.id())).findFirst();
        if (loaded.isPresent()) {
            Threads.blocking("waiting for the device");
            try {
                // the loaded entry's dtype: the default's may not be loaded, and the tokenizer is the same
                pool.run(ref.id(), loaded.get().dtype(), m -> {
                    kind.checkTokens(params, m.tokenizer(), config);
                    return null;
                }).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        } else if (!ref.isHub()) {
            pool.catalog().findLocal(ref.base()).ifPresent(local -> {
                try (LensTokenizer tokenizer = pool.catalog().tokenizer(local)) {
                    kind.checkTokens(params, tokenizer, config);
                }
            });
        }
    }

    private Optional<ModelConfig> localConfig(ModelRef ref) {
        Optional<LoadedModel> loaded = pool.loaded().stream().filter(m -> m.id().equals(ref.id())).findFirst();
        if (loaded.isPresent()) {
            return Optional.of(loaded.get().config());
        }
        return ref.isHub() ? Optional.empty() : pool.catalog().findLocal(ref.base()).flatMap(local -> {
            try {
                return Optional.of(pool.catalog().config(local));
            } catch (CheckpointException unusable) {
                return Optional.empty();
            }
        });
    }

    /**
     * Stops a run: a queued one at once (its queue slot is free again), a running one after its current step.
     * Returns the run as it is after the request.
     */
    public RunRecord cancel(String id) {
        RunRecord run = find(id);
        if (cluster != null) {
            if (store().cancelQueued(id)) {
                emitElsewhere(id, "done", Map.of("state", RunState.CANCELLED.key()));
            } else if (!run.state().finished() && !cluster.requestCancel(id)) {
                LOG.debugf("run %s finished while its cancel was asked", id);
            }
            return find(id);
        }
        if (waiting.remove(id)) {
            slots.decrementAndGet();
            finish(id, RunState.CANCELLED, null);
            sequences.remove(id);
        } else if (!run.state().finished()) {
            cancelled.add(id);
        }
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

    /** A cancel asked on another replica (or seen by the heartbeat) for a run this one executes. */
    void cancelLocally(String id) {
        if (id.equals(executing)) {
            cancelled.add(id);
        }
    }

    String executing() {
        return executing;
    }

    /** Another replica took over the run this one executes: it stops after its step, writing nothing more. */
    void lost(String id) {
        LOG.warnf("run %s: this replica's lease on it lapsed and another replica took it over; abandoning it here", id);
        lost.add(id);
    }

    /** From a local queue (H2): the run's slot is given back and this replica starts it. */
    private void execute(RunRecord run, RunKind<?> kind) {
        if (!waiting.remove(run.id())) {
            return; // cancelled while queued
        }
        slots.decrementAndGet();
        try {
            store().start(run.id(), replica.id());
        } catch (RuntimeException e) {
            try {
                finish(run.id(), RunState.FAILED, ModelPool.message(e));
            } finally {
                sequences.remove(run.id());
            }
            return;
        }
        runJob(run, kind);
    }

    /** A run this replica has just claimed from the shared queue (state loading, this replica's, one more attempt). */
    void executeClaimed(String id) {
        sequences.remove(id); // other replicas have stored events since this one last counted them
        RunRecord run = find(id);
        runJob(run, kinds.get(run.kind()));
    }

    /** The one run loop: load, open the kind's job, step it until it is finished or cancelled, store the result. */
    private <P extends Record> void runJob(RunRecord run, RunKind<P> kind) {
        String id = run.id();
        executing = id;
        try {
            emit(id, "state", Map.of("state", RunState.LOADING.key()));
            try (ModelPool.Lease lease = pool.lease(run.model(), Dtype.parse(run.dtype()))) {
                owned(id, RunState.RUNNING, null);
                P params = kind.schema().stored(json, run.params());
                Events events = new Events(id);
                RunKind.Job job = onDevice(lease, m -> kind.open(m, params, events));
                events.flush();
                try {
                    while (!job.finished()) {
                        if (lost.contains(id)) {
                            return;
                        }
                        if (cancelled.contains(id)) {
                            owned(id, RunState.CANCELLED, null);
                            return;
                        }
                        if (stopping) {
                            stopped(id);
                            return;
                        }
                        onDevice(lease, m -> {
                            job.step(events);
                            return null;
                        });
                        events.flush();
                    }
                    JsonNode result = json.valueToTree(onDevice(lease, m -> job.result()));
                    store().result(id, result);
                    if (store().state(id, replica.id(), RunState.DONE, null)) {
                        emit(id, "done", Map.of("state", RunState.DONE.key(), "result", result));
                    }
                } finally {
                    onDevice(lease, m -> {
                        job.close();
                        return null;
                    });
                }
            }
        } catch (Throwable t) {
            String message = ModelPool.message(t);
            LOG.infof("run %s failed: %s", id, message);
            owned(id, RunState.FAILED, message);
        } finally {
            executing = null;
            lost.remove(id);
            cancelled.remove(id);
            sequences.remove(id); // a late event after this (none expected) would reload the count from the store
        }
    }

    private <T> T onDevice(ModelPool.Lease lease, Function<LoadedModel, T> work) {
        Threads.blocking("waiting for the device");
        return pool.device().submit(() -> work.apply(lease.model())).join();
    }

    /** A job's events, collected on the device thread and stored and published by the run thread after each task. */
    private final class Events implements RunKind.Progress {
        private final String id;
        private record Pending(String type, Object data) {}

        private final List<Pending> pending = new ArrayList<>();

        Events(String id) {
            this.id = id;
        }

        @Override
        public void emit(String type, Object data) {
            pending.add(new Pending(type, data));
        }

        void flush() {
            pending.forEach(e -> RunService.this.emit(id, e.type(), e.data()));
            pending.clear();
        }
    }

    /**
     * A state the executing replica writes, with its event, only while the run is still this replica's (always, with
     * H2; with PostgreSQL, unless its lease lapsed and another replica took the run over).
     */
    private void owned(String id, RunState state, String error) {
        if (!store().state(id, replica.id(), state, error)) {
            lost.add(id);
            return;
        }
        emit(id, state.finished() ? "done" : "state", error == null ? Map.of("state", state.key())
                : Map.of("state", state.key(), "error", error));
    }

    /**
     * The service stops mid-run: with H2 the run is marked interrupted; in a cluster it goes back to the queue and
     * another replica takes it.
     */
    private void stopped(String id) {
        if (cluster == null) {
            owned(id, RunState.INTERRUPTED, STOPPED);
        } else {
            cluster.release(id);
        }
    }

    private void finish(String id, RunState state, String error) {
        store().state(id, state, error);
        emit(id, "done", error == null ? Map.of("state", state.key()) : Map.of("state", state.key(), "error", error));
    }

    /** Stores the event under the run's next sequence number (continuing the stored ones after a restart), then publishes it. */
    private void emit(String id, String type, Object data) {
        long seq = sequences.computeIfAbsent(id, k -> new AtomicLong(store().lastSeq(k))).incrementAndGet();
        String payload;
        try {
            payload = json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        RunEvent event = new RunEvent(seq, type, payload);
        store().append(id, event);
        publish(id, event);
    }

    /** Sends a stored event to the viewers: this replica's on its event bus, other replicas' through NOTIFY. */
    void publish(String id, RunEvent e) {
        vertx.eventBus().publish(address(id), new JsonObject().put("seq", e.seq()).put("type", e.type()).put("data", e.data()));
        if (cluster != null) {
            cluster.published(id, e.seq(), e.type(), e.data());
        }
    }

    /**
     * An event for a run another replica may execute before or after (queued, cancelled while queued, queued again):
     * its number is read from the store, not remembered, since the next one may come from elsewhere.
     */
    void emitElsewhere(String id, String type, Object data) {
        if (!id.equals(executing)) {
            sequences.remove(id);
        }
        emit(id, type, data);
        if (!id.equals(executing)) {
            sequences.remove(id);
        }
    }

    String newId() {
        StringBuilder id = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }
}
