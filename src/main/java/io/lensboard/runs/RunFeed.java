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

    /** Replays stored events, holding live ones back until the replay is out, then forwards live ones in order. */
    private final class Follower {
        private final String runId;
        private final MultiEmitter<? super RunEvent> emitter;
        private final List<RunEvent> held = new ArrayList<>();
        private long lastSent;
        private boolean replaying = true;
        private MessageConsumer<JsonObject> consumer;

        Follower(String runId, long afterSeq, MultiEmitter<? super RunEvent> emitter) {
            this.runId = runId;
            this.lastSent = afterSeq;
            this.emitter = emitter;
        }

        void start(boolean finished) {
            if (!finished) {
                consumer = vertx.eventBus().consumer(RunService.address(runId), m -> live(RunEvent.of(m.body())));
                emitter.onTermination(this::stop);
            }
            for (RunEvent e : runs.events(runId, lastSent)) {
                send(e);
            }
            synchronized (this) {
                held.sort(Comparator.comparingLong(RunEvent::seq));
                held.forEach(this::send);
                held.clear();
                replaying = false;
            }
            if (finished) {
                emitter.complete();
            }
        }

        private synchronized void live(RunEvent e) {
            if (replaying) {
                held.add(e);
            } else {
                send(e);
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
                consumer = null;
            }
        }
    }
}
