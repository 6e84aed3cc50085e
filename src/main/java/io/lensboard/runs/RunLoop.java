package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Futures;
import io.lensboard.Threads;
import io.lensboard.model.Dtype;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelPool;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The one run loop, every kind alike: load, open the kind's job, step it until it is finished or cancelled, store
 * the result; and the run states it writes (loading → running → done | failed | cancelled). Runs go one at a time
 * through the single run thread (one optimisation per device), which a {@link RunQueue} feeds; each step is a
 * separate task on the device thread, so lens requests interleave with a running optimisation. A step whose events
 * or a result holding a non-finite number ends the run {@code failed} ("diverged at step n: loss NaN"), never done.
 */
public final class RunLoop {
    private static final Logger LOG = Logger.getLogger(RunLoop.class);
    static final String STOPPED = "the service stopped while this run was unfinished";

    private final ExecutorService runThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lensboard-runs");
        t.setDaemon(true);
        return t;
    });
    private final ModelPool pool;
    private final RunKinds kinds;
    private final ObjectMapper json;
    private final RunStore store;
    private final EventLog log;
    private final String replica;
    private final Checkpoints checkpoints;

    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    /** Runs this replica executes that another replica took over (its lease lapsed): abandoned without a write. */
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    /** The run the run thread executes now; a cluster's heartbeat renews its lease. */
    private volatile String executing;
    /** Set when the service stops: the running job ends after its step, queued ones never start. */
    private volatile boolean stopping;

    RunLoop(ModelPool pool, RunKinds kinds, ObjectMapper json, RunStore store, EventLog log, String replica, Checkpoints checkpoints) {
        this.pool = pool;
        this.kinds = kinds;
        this.json = json;
        this.store = store;
        this.log = log;
        this.replica = replica;
        this.checkpoints = checkpoints;
    }

    /** Hands work to the run thread (a queued run, or a cluster's claim loop). */
    public void execute(Runnable work) {
        runThread.execute(work);
    }

    public String executing() {
        return executing;
    }

    public boolean stopping() {
        return stopping;
    }

    /** The run stops after its current step (or before its first); a run not executing here is not affected later. */
    public void cancel(String id) {
        cancelled.add(id);
    }

    /** Another replica took over the run this one executes: it stops after its step, writing nothing more. */
    public void lost(String id) {
        LOG.warnf("run %s: this replica's lease on it lapsed and another replica took it over; abandoning it here", id);
        lost.add(id);
    }

    /**
     * The service stops: the running job ends after its current step and nothing new starts; {@code letGo} (the
     * queue's) then runs, and the run thread is waited for (30 s at most).
     */
    void stop(Runnable letGo) throws InterruptedException {
        stopping = true;
        letGo.run();
        runThread.shutdown();
        if (!runThread.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("a run step did not end within 30 s of the shutdown; its run is marked interrupted at the next start");
        }
    }

    /**
     * Marks every run left unfinished by the last process interrupted, with a {@code done} event numbered after its
     * stored ones, so a viewer resuming with Last-Event-ID learns of it.
     */
    void recover() {
        for (String id : store.interruptUnfinished()) {
            log.emit(id, "done", Map.of("state", RunState.INTERRUPTED.key(), "error", RunStore.INTERRUPTED));
            LOG.infof("run %s was unfinished at the last shutdown: marked interrupted", id);
        }
    }

    /**
     * Executes a run this replica has started (state loading, its replica this one), on the run thread. Returns
     * false when the service stops first: the run is left unfinished, for its queue to mark or hand on.
     */
    public boolean run(String id) {
        log.forget(id); // other replicas may have stored events since this one last counted them
        RunRecord run = store.find(id).orElseThrow(() -> new UnknownRunException("no run '" + id + "'"));
        return run(run, kinds.get(run.kind()));
    }

    private <P extends Record> boolean run(RunRecord run, RunKind<P> kind) {
        String id = run.id();
        executing = id;
        try {
            log.emit(id, "state", Map.of("state", RunState.LOADING.key()));
            try (ModelPool.Lease lease = pool.lease(run.model(), Dtype.parse(run.dtype()))) {
                owned(id, RunState.RUNNING, null);
                P params = kind.schema().stored(json, run.params());
                Events events = new Events(id, store.lastStep(id));
                kind.prepare(params);
                RunCheckpoint checkpoint = new RunCheckpoint(checkpoints, id, replica);
                Optional<Checkpoints.Saved> saved = checkpoint.stored(kind);
                RunKind.Job job = saved.isPresent()
                        ? onDevice(lease, m -> RunCheckpoint.resume((Checkpointed<P>) kind, m, params, saved.get()))
                        : onDevice(lease, m -> kind.open(m, params, events));
                int step = saved.map(Checkpoints.Saved::step).orElse(0);
                if (saved.isPresent()) {
                    LOG.infof("run %s: resumed from its checkpoint after step %d", id, step);
                } else {
                    events.store(0);
                }
                try {
                    while (!job.finished()) {
                        if (lost.contains(id)) {
                            return true;
                        }
                        if (cancelled.contains(id)) {
                            owned(id, RunState.CANCELLED, null);
                            return true;
                        }
                        if (stopping) {
                            if (checkpoint.savable(job)) { // the replica taking the run over recomputes nothing
                                checkpoint.save(step, onDevice(lease, m -> RunCheckpoint.bytes(job)));
                            }
                            return false;
                        }
                        onDevice(lease, m -> {
                            job.step(events);
                            return null;
                        });
                        events.store(++step);
                        if (checkpoint.due(job) && !checkpoint.save(step, onDevice(lease, m -> RunCheckpoint.bytes(job)))) {
                            lost.add(id);
                        }
                    }
                    JsonNode result = json.valueToTree(onDevice(lease, m -> job.result()));
                    Divergence.check(step, result);
                    store.result(id, result);
                    if (store.state(id, replica, RunState.DONE, null)) {
                        checkpoints.delete(id);
                        log.emit(id, "done", Map.of("state", RunState.DONE.key(), "result", result));
                    }
                    return true;
                } finally {
                    onDevice(lease, m -> {
                        job.close();
                        return null;
                    });
                }
            }
        } catch (Throwable t) {
            String message = Futures.message(t);
            LOG.infof("run %s failed: %s", id, message);
            failed(id, message);
            return true;
        } finally {
            executing = null;
            lost.remove(id);
            cancelled.remove(id);
            log.forget(id); // a late event after this (none expected) would read the count from the store
        }
    }

    private <T> T onDevice(ModelPool.Lease lease, Function<LoadedModel, T> work) {
        Threads.blocking("waiting for the device");
        return pool.device().submit(() -> work.apply(lease.model())).join();
    }

    /**
     * A state the executing replica writes, with its event, only while the run is still this replica's (always, with
     * H2; with PostgreSQL, unless its lease lapsed and another replica took the run over).
     */
    void owned(String id, RunState state, String error) {
        if (!store.state(id, replica, state, error)) {
            lost.add(id);
            return;
        }
        if (state.finished()) {
            checkpoints.delete(id);
        }
        log.emit(id, state.finished() ? "done" : "state", error == null ? Map.of("state", state.key())
                : Map.of("state", state.key(), "error", error));
    }

    /**
     * Ends the run failed; when even that cannot be stored (the database is unavailable, the heap exhausted), the
     * run thread lives on: the run stays unfinished in the store, and the next start marks it interrupted.
     */
    void failed(String id, String message) {
        try {
            owned(id, RunState.FAILED, message);
        } catch (RuntimeException e) {
            LOG.errorf("run %s failed (%s) and its failure could not be stored: %s", id, message, Futures.message(e));
        }
    }

    /** A run that ends without running here (cancelled while queued, interrupted by a stop, failed to start). */
    void finish(String id, RunState state, String error) {
        store.state(id, state, error);
        checkpoints.delete(id);
        log.emit(id, "done", error == null ? Map.of("state", state.key()) : Map.of("state", state.key(), "error", error));
    }

    /**
     * A job's events, collected on the device thread; the run thread checks and stores them after each task. Those of
     * steps an earlier attempt stored already (its replica died after them) are dropped: the job recomputes them from
     * its checkpoint, or from the start, the same.
     */
    private final class Events implements RunKind.Progress {
        private final String id;
        private final int storedUpTo;
        private final List<Map.Entry<String, Object>> pending = new ArrayList<>();

        /** {@code storedUpTo}: the last step whose events are stored (-1: none). */
        Events(String id, int storedUpTo) {
            this.id = id;
            this.storedUpTo = storedUpTo;
        }

        @Override
        public void emit(String type, Object data) {
            pending.add(new AbstractMap.SimpleImmutableEntry<>(type, data));
        }

        /** Stores and publishes the events of step {@code step} (0: opening), none of them if one is non-finite. */
        void store(int step) {
            try {
                if (step <= storedUpTo) {
                    return;
                }
                List<Map.Entry<String, Object>> trees = new ArrayList<>(pending.size());
                for (Map.Entry<String, Object> e : pending) {
                    JsonNode tree = json.valueToTree(e.getValue());
                    Divergence.check(step, tree);
                    trees.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), tree));
                }
                log.emitStep(id, step, trees);
            } finally {
                pending.clear();
            }
        }
    }
}
