package io.lensboard.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.LensboardConfig;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Queues, runs, stores and publishes long analyses. Runs go one at a time through a single run thread
 * (one optimisation per device); each step is a separate task on the device thread, so lens requests
 * interleave with a running optimisation. Every event is stored before it is published on the Vert.x
 * event bus at {@link #address}, so a follower that replays the store and then listens misses nothing.
 */
@ApplicationScoped
public class RunService {
    private static final Logger LOG = Logger.getLogger(RunService.class);
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789";

    private final Map<String, RunKind> kinds = List.<RunKind>of(new ReconstructionKind(),
            AscentKind.embedding(), AscentKind.softmaxPrior(), new ExhaustiveKind(), new GreedyKind()).stream()
            .collect(Collectors.toMap(RunKind::name, k -> k));
    private final ExecutorService runThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lensboard-runs");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    @Inject
    ModelPool pool;

    @Inject
    ObjectMapper json;

    @Inject
    Vertx vertx;

    @Inject
    DataSource dataSource;

    @Inject
    LensboardConfig config;

    private RunStore store;

    void start(@Observes StartupEvent startup) {
        store = new RunStore(dataSource, json);
        for (String id : store.interruptUnfinished()) {
            sequences.put(id, new AtomicLong(store.lastSeq(id)));
            emit(id, "state", Map.of("state", RunState.INTERRUPTED.key()));
            LOG.infof("run %s was unfinished at the last shutdown: marked interrupted", id);
        }
    }

    public RunStore store() {
        return store;
    }

    public static String address(String runId) {
        return "lensboard.runs." + runId;
    }

    /** What a run is asked to be. */
    public record NewRun(String kind, String model, JsonNode params) {}

    private record Checked(RunKind kind, ModelRef ref, ObjectNode params) {}

    /** Validates and queues a run; 400, 404 or 429-style exceptions before anything is stored. */
    public RunRecord submit(String kindName, String model, JsonNode params) {
        return submitAll(List.of(new NewRun(kindName, model, params))).get(0);
    }

    /**
     * Validates every run of a batch, then queues them together, or none: a batch is refused (429) only when the
     * queue is already full, so one request can start a table of runs however long it is.
     */
    public List<RunRecord> submitAll(List<NewRun> batch) {
        List<Checked> checked = batch.stream().map(r -> batch.size() == 1 ? check(r) : checkInBatch(r)).toList();
        int queueLimit = config.runs().queueLimit();
        if (queued.getAndAdd(checked.size()) >= queueLimit) {
            queued.addAndGet(-checked.size());
            throw new TooManyRunsException("the run queue is full (" + queueLimit + " queued); wait for runs to finish or cancel some");
        }
        return checked.stream().map(c -> {
            RunRecord run = new RunRecord(newId(), c.kind().name(), c.ref().id(), c.params(), RunState.QUEUED, null, null,
                    Instant.now(), null, null);
            store.insert(run);
            sequences.put(run.id(), new AtomicLong());
            emit(run.id(), "state", Map.of("state", RunState.QUEUED.key()));
            runThread.execute(() -> execute(run, c.kind()));
            return run;
        }).toList();
    }

    /** As {@link #check}, the message saying which run of the batch is wrong. */
    private Checked checkInBatch(NewRun r) {
        try {
            return check(r);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(r.kind() + " on " + r.model() + " with " + r.params() + ": " + e.getMessage());
        }
    }

    private Checked check(NewRun r) {
        RunKind kind = kinds.get(r.kind() == null ? "" : r.kind());
        if (kind == null) {
            throw new InvalidInputException("unknown run kind '" + r.kind() + "'; known: " + kinds.keySet());
        }
        ModelRef ref = pool.catalog().check(r.model());
        return new Checked(kind, ref, kind.validate(r.params(), localConfig(ref)));
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

    /** Asks a run to stop: a queued run never starts, a running one stops after its current step. */
    public RunRecord cancel(String id) {
        RunRecord run = find(id);
        if (!run.state().finished()) {
            cancelled.add(id);
        }
        return run;
    }

    public RunRecord find(String id) {
        return store.find(id).orElseThrow(() -> new UnknownRunException("no run '" + id + "' (GET /api/runs lists them)"));
    }

    private void execute(RunRecord run, RunKind kind) {
        queued.decrementAndGet();
        String id = run.id();
        if (cancelled.remove(id)) {
            finish(id, RunState.CANCELLED, null);
            return;
        }
        try {
            state(id, RunState.LOADING);
            try (ModelPool.Lease lease = pool.lease(run.model())) {
                state(id, RunState.RUNNING);
                Object result = kind.execute(context(id, lease), run.params());
                if (result == null) {
                    finish(id, RunState.CANCELLED, null);
                    return;
                }
                JsonNode resultJson = json.valueToTree(result);
                store.result(id, resultJson);
                store.state(id, RunState.DONE, null);
                emit(id, "done", Map.of("state", RunState.DONE.key(), "result", resultJson));
            }
        } catch (Throwable t) {
            String message = ModelPool.message(t);
            LOG.infof("run %s failed: %s", id, message);
            finish(id, RunState.FAILED, message);
        } finally {
            cancelled.remove(id);
            sequences.remove(id); // a late event after this (none expected) would reload the count from the store
        }
    }

    private RunContext context(String id, ModelPool.Lease lease) {
        return new RunContext() {
            @Override
            public LoadedModel model() {
                return lease.model();
            }

            @Override
            public <T> T onDevice(Function<LoadedModel, T> work) {
                return pool.device().submit(() -> work.apply(lease.model())).join();
            }

            @Override
            public void emit(String type, Object data) {
                RunService.this.emit(id, type, data);
            }

            @Override
            public boolean cancelled() {
                return cancelled.contains(id);
            }
        };
    }

    private void state(String id, RunState state) {
        store.state(id, state, null);
        emit(id, "state", Map.of("state", state.key()));
    }

    private void finish(String id, RunState state, String error) {
        store.state(id, state, error);
        emit(id, "done", error == null ? Map.of("state", state.key()) : Map.of("state", state.key(), "error", error));
    }

    private void emit(String id, String type, Object data) {
        long seq = sequences.computeIfAbsent(id, k -> new AtomicLong(store.lastSeq(k))).incrementAndGet();
        String payload;
        try {
            payload = json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        store.append(id, new RunEvent(seq, type, payload));
        vertx.eventBus().publish(address(id), new JsonObject().put("seq", seq).put("type", type).put("data", payload));
    }

    String newId() {
        StringBuilder id = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }
}
