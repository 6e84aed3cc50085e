package io.lensboard.runs;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A run's events for any number of viewers: the stored ones after a given sequence number, then the live ones,
 * with no gap and no duplicate, ending after {@code done} (or at once for a run that finished without one).
 * The feed knows nothing of kinds. The store is read and every item is delivered on a worker thread, never on
 * the event loop, so subscribers may render and block.
 */
@ApplicationScoped
public class RunFeed {

    @Inject
    RunService runs;

    @Inject
    Vertx vertx;

    /** The run's events after {@code afterSeq} (0: all of them); an unknown run fails before anything is sent. */
    public Multi<RunEvent> follow(String runId, long afterSeq) {
        RunRecord run = runs.find(runId);
        return Multi.createFrom().<RunEvent>emitter(emitter -> new Follower(runId, afterSeq, emitter).start(run.state().finished()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .emitOn(Infrastructure.getDefaultWorkerPool());
    }

    /** Only the events stored from now on: for a view that has just read the run from the store. */
    public Multi<RunEvent> fromNow(String runId) {
        return follow(runId, runs.store().lastSeq(runId));
    }

    /**
     * Replays stored events, holding live ones back until the replay is out, then forwards live ones in order. Live
     * events can go missing on their way to this replica (another replica's, while this one's LISTEN connection
     * reconnects): a live event past a gap, or {@link EventLog#RESYNC}, makes the follower catch up from the store the
     * same way, on a worker thread (the store is never read on the event loop).
     */
    private final class Follower {
        private final String runId;
        private final MultiEmitter<? super RunEvent> emitter;
        private final List<RunEvent> held = new ArrayList<>();
        private long lastSent;
        /** Reads of the store under way (the first replay, catch-ups): live events are held while there are any. */
        private int replaying = 1;
        private MessageConsumer<JsonObject> consumer;
        private MessageConsumer<Object> resync;

        Follower(String runId, long afterSeq, MultiEmitter<? super RunEvent> emitter) {
            this.runId = runId;
            this.lastSent = afterSeq;
            this.emitter = emitter;
        }

        void start(boolean finished) {
            if (!finished) {
                consumer = vertx.eventBus().consumer(RunService.address(runId), m -> live(RunEvent.of(m.body())));
                resync = vertx.eventBus().consumer(EventLog.RESYNC, m -> catchUp(false));
                emitter.onTermination(this::stop);
            }
            replayed(runs.events(runId, lastSent), false);
            if (finished) {
                emitter.complete();
            }
        }

        private synchronized void live(RunEvent e) {
            if (replaying > 0) {
                held.add(e);
            } else if (e.seq() > lastSent + 1) { // events numbered between were stored, but did not come live
                held.add(e);
                catchUp(false);
            } else {
                send(e);
            }
        }

        /**
         * Reads the stored events after the last one sent, on a worker thread. {@code recheck}: the last read ended
         * before an event held since (it was read before that event's predecessors were stored); a second read has
         * them all, so a gap it leaves is a number never stored, and is passed over.
         */
        private synchronized void catchUp(boolean recheck) {
            if (consumer == null) {
                return; // the viewer left, or the run had finished when it came
            }
            replaying++;
            long from = lastSent;
            Infrastructure.getDefaultWorkerPool().execute(() -> replayed(runs.events(runId, from), recheck));
        }

        private void replayed(List<RunEvent> stored, boolean recheck) {
            for (RunEvent e : stored) {
                send(e);
            }
            synchronized (this) {
                if (--replaying > 0) {
                    return;
                }
                held.sort(Comparator.comparingLong(RunEvent::seq));
                if (!recheck && !held.isEmpty() && held.get(0).seq() > lastSent + 1) {
                    catchUp(true);
                    return;
                }
                held.forEach(this::send);
                held.clear();
            }
        }

        private synchronized void send(RunEvent e) {
            if (e.seq() <= lastSent || emitter.isCancelled()) {
                return;
            }
            lastSent = e.seq();
            if (e.type().equals(EmbeddingEvents.TYPE)) {
                return; // stored for the export (RunExports), too large and of no use to a viewer; its id is skipped
            }
            emitter.emit(e);
            if (e.type().equals("done")) {
                emitter.complete();
            }
        }

        private synchronized void stop() {
            if (consumer != null) {
                consumer.unregister();
                resync.unregister();
                consumer = null;
            }
        }
    }
}
