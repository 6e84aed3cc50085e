package io.lensboard.runs;

import io.lensboard.Futures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.runs.cluster.Replica;
import io.lensboard.runs.cluster.ReplicaInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * This process's own queue (H2): each run waits as a task of the run thread, holding one of {@code queueLimit}
 * slots until it starts. Runs left unfinished by a stop are marked interrupted, at the stop or at the next start.
 */
final class LocalQueue implements RunQueue {
    private static final Logger LOG = Logger.getLogger(LocalQueue.class);
    private final RunLoop loop;
    private final RunStore store;
    private final EventLog log;
    private final ModelPool pool;
    private final Replica replica;
    private final int queueLimit;
    /** Runs stored as queued whose task has not started: each holds one of the queue's slots. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicInteger slots = new AtomicInteger();

    LocalQueue(RunLoop loop, RunStore store, EventLog log, ModelPool pool, Replica replica, int queueLimit) {
        this.loop = loop;
        this.store = store;
        this.log = log;
        this.pool = pool;
        this.replica = replica;
        this.queueLimit = queueLimit;
    }

    @Override
    public void start() {
        loop.recover();
    }

    @Override
    public void submit(List<RunRecord> runs) {
        if (slots.getAndAdd(runs.size()) >= queueLimit) {
            slots.addAndGet(-runs.size());
            throw new TooManyRunsException("the run queue is full (" + queueLimit + " queued); wait for runs to finish or cancel some");
        }
        try {
            store.insertAll(runs);
        } catch (RuntimeException e) {
            slots.addAndGet(-runs.size()); // nothing was stored, so nothing waits
            throw e;
        }
        for (RunRecord run : runs) {
            waiting.add(run.id());
            log.emit(run.id(), "state", Map.of("state", RunState.QUEUED.key()));
            loop.execute(() -> execute(run.id()));
        }
    }

    /** On the run thread: the run's slot is given back and this replica starts it, unless it was cancelled meanwhile. */
    private void execute(String id) {
        if (!waiting.remove(id)) {
            return;
        }
        slots.decrementAndGet();
        try {
            store.start(id, replica.id());
        } catch (RuntimeException e) {
            try {
                loop.finish(id, RunState.FAILED, Futures.message(e));
            } catch (RuntimeException unstored) { // the run thread must outlive the store: the next start marks it
                LOG.errorf("run %s could not start (%s) nor be marked failed: %s", id, Futures.message(e), Futures.message(unstored));
            } finally {
                log.forget(id);
            }
            return;
        }
        if (!loop.run(id)) {
            try {
                loop.owned(id, RunState.INTERRUPTED, RunLoop.STOPPED);
            } catch (RuntimeException e) { // the store is gone as the service stops: the next start marks it interrupted
                LOG.warnf("run %s: its interruption could not be stored: %s", id, Futures.message(e));
            }
        }
    }

    @Override
    public void cancel(RunRecord run) {
        if (waiting.remove(run.id())) {
            slots.decrementAndGet();
            loop.finish(run.id(), RunState.CANCELLED, null);
            log.forget(run.id());
        } else if (!run.state().finished()) {
            loop.cancel(run.id());
        }
    }

    @Override
    public List<ReplicaInfo> replicas() {
        String current = loop.executing();
        return List.of(new ReplicaInfo(replica.id(), replica.url(), pool.loaded().stream().map(LoadedModel::id).toList(),
                pool.memoryFree(), current == null ? List.of() : List.of(current), Instant.now()));
    }

    @Override
    public void published(String id, RunEvent event) {
        // this process's viewers only: the event bus has them already
    }

    /** Queued runs are marked interrupted once, here, so the next start finds nothing to mark. */
    @Override
    public void stop() {
        for (String id : List.copyOf(waiting)) {
            if (waiting.remove(id)) {
                slots.decrementAndGet();
                loop.finish(id, RunState.INTERRUPTED, RunLoop.STOPPED);
            }
        }
    }

    @Override
    public void close() {
        // nothing held beyond the run thread, which the loop ends
    }
}
