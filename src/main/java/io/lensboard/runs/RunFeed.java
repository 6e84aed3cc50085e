package io.lensboard.runs;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A run's events for any number of viewers: the stored ones after a given sequence number, then the live ones,
 * with no gap and no duplicate, ending after {@code done} (or at once for a run that finished without one).
 * The feed knows nothing of kinds. The store is read and every item is delivered on a worker thread, never on
 * the event loop, so subscribers may render and block.
 * <p>
 * The store is the only source: a viewer reads it a page at a time, and only when it asks for more (Mutiny's
 * demand, which Quarkus REST gives one item at a time as each write completes). A live event on the bus only wakes
 * the viewer; none is queued for it. So a viewer that does not read holds one page, never the run's history nor
 * the events published since (thousands of such viewers exhausted the heap when each held its whole replay), and
 * however many viewers there are, {@link #READERS} of them read the store at a time.
 */
@ApplicationScoped
public class RunFeed {
    /** Events read from the store at a time for one viewer. */
    static final int PAGE = 32;
    /** How long a caught-up viewer waits for a bus event before reading the store anyway (a relay may miss one). */
    private static final Duration POLL = Duration.ofSeconds(5);
    /** How long a finished run's viewer waits for a {@code done} being stored just after the state. */
    private static final Duration SETTLE = Duration.ofMillis(200);

    /**
     * Threads that read viewers' pages: so many viewers read the store at once at most, however many there are (each
     * waits its turn here, holding no thread), and the run's own writes always find a database connection.
     */
    static final int READERS = 4;

    private final ExecutorService readers = Executors.newFixedThreadPool(READERS, r -> {
        Thread t = new Thread(r, "lensboard-feed");
        t.setDaemon(true);
        return t;
    });

    @Inject
    RunService runs;

    @Inject
    Vertx vertx;

    /** The run's events after {@code afterSeq} (0: all of them); an unknown run fails before anything is sent. */
    public Multi<RunEvent> follow(String runId, long afterSeq) {
        runs.find(runId);
        return Multi.createFrom().resource(() -> new Follower(runId, afterSeq),
                        f -> Multi.createBy().repeating().uni(f::next).whilst(page -> !page.last())
                                .concatMap(page -> Multi.createFrom().iterable(page.events())))
                .withFinalizer(Follower::stop)
                .emitOn(Infrastructure.getDefaultWorkerPool(), PAGE); // a page ahead at most, not Mutiny's 256 events
    }

    @PreDestroy
    void stop() {
        readers.shutdownNow();
    }

    /** Only the events stored from now on: for a view that has just read the run from the store. */
    public Multi<RunEvent> fromNow(String runId) {
        return follow(runId, runs.store().lastSeq(runId));
    }

    /** Events to send; {@code last}: the feed ends after them. */
    private record Page(List<RunEvent> events, boolean last) {
        static final Page NONE = new Page(List.of(), false);
    }

    /**
     * One viewer's place in the run; the bus only wakes it (and may hand it the very next event, saving a read). Live
     * events can go missing on their way to this replica (another replica's, while this one's LISTEN connection
     * reconnects): {@link EventLog#RESYNC} wakes every viewer to read the store, and a live event past a gap is read
     * from the store too.
     */
    private final class Follower {
        private final String runId;
        private final MessageConsumer<JsonObject> consumer;
        private final MessageConsumer<Object> resync;
        /** The newest event heard on the bus: sent without a read when it is the next one, else the store is read. */
        private final AtomicReference<RunEvent> heard = new AtomicReference<>();
        private volatile CompletableFuture<Void> wake = new CompletableFuture<>();
        private long lastSent;
        private volatile boolean settling;

        Follower(String runId, long afterSeq) {
            this.runId = runId;
            this.lastSent = afterSeq;
            this.consumer = vertx.eventBus().consumer(RunService.address(runId), m -> {
                heard.set(RunEvent.of(m.body()));
                wake.complete(null);
            });
            this.resync = vertx.eventBus().consumer(EventLog.RESYNC, m -> wake.complete(null));
        }

        /** The next page, read on a worker thread; when there is none yet, an empty one once woken (or after a while). */
        Uni<Page> next() {
            return Uni.createFrom().item(this::read).runSubscriptionOn(readers)
                    .chain(page -> page != null ? Uni.createFrom().item(page)
                            : Uni.createFrom().completionStage(wake).ifNoItem().after(settling ? SETTLE : POLL)
                                    .recoverWithItem((Void) null).replaceWith(Page.NONE)); // waits on no thread
        }

        /** The next page, or null when there is nothing to send yet. */
        private Page read() {
            wake = new CompletableFuture<>(); // armed before reading, so an event published while reading is not missed
            RunEvent live = heard.getAndSet(null);
            List<RunEvent> events = live != null && live.seq() == lastSent + 1 ? List.of(live)
                    : runs.store().events(runId, lastSent, PAGE);
            if (events.isEmpty()) {
                if (settling) {
                    return new Page(List.of(), true);
                }
                settling = runs.find(runId).state().finished();
                return null;
            }
            List<RunEvent> shown = new ArrayList<>(events.size());
            for (RunEvent e : events) {
                lastSent = e.seq();
                if (!e.type().equals(EmbeddingEvents.TYPE)) { // stored for the export (RunExports), too large and of no use to a viewer; its id is skipped
                    shown.add(e);
                }
                if (e.type().equals("done")) {
                    return new Page(shown, true);
                }
            }
            return new Page(shown, false);
        }

        void stop() {
            consumer.unregister();
            resync.unregister();
        }
    }
}
