package io.lensboard.web.common;

import io.lensboard.LensboardConfig;
import io.netty.channel.ChannelOption;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The long-lived server-sent event streams (a run's, a grid's): at most {@code lensboard.streams.max} at once and
 * {@code lensboard.streams.max-per-client} per client address, beyond which a viewer is answered 503 with a
 * Retry-After; a viewer found with a write waiting for {@code lensboard.streams.stall} in all (it does not read,
 * or far slower than its stream goes) is closed. Quarkus REST asks a stream for its next event only once the last one
 * is written, so a viewer that does not read costs one event and a small socket buffer ({@link #SEND_BUFFER}).
 */
@ApplicationScoped
public class LiveStreams {
    private static final Logger LOG = Logger.getLogger(LiveStreams.class);

    @Inject
    LensboardConfig config;

    @Inject
    CurrentVertxRequest current;

    @Inject
    Vertx vertx;

    /**
     * A stream's socket send buffer, fixed (Linux would grow it to 4 MB for a viewer that does not read): the
     * kernel's share of a viewer's backlog stays small, and a viewer that reads nothing stalls within this much.
     */
    static final int SEND_BUFFER = 64 * 1024;

    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final Set<LiveViewer> viewers = ConcurrentHashMap.newKeySet();

    private int max;
    private int maxPerClient;
    private Duration stall;
    private int retryAfter;

    @PostConstruct
    void watch() {
        LensboardConfig.Streams limits = config.streams();
        max = limits.max();
        maxPerClient = limits.maxPerClient();
        stall = limits.stall();
        retryAfter = limits.retryAfter();
        long every = Math.max(100, Math.min(1000, stall.toMillis() / 4));
        vertx.setPeriodic(every, t -> closeStalled(every));
    }

    /** How many streams are open now. */
    public int open() {
        return open.get();
    }

    /**
     * The stream {@code stream} makes, counted against the caps for the request being served (call it on that
     * request's thread); a failure to make it (an unknown run) gives its slot back at once.
     */
    public Multi<OutboundSseEvent> guard(Supplier<Multi<OutboundSseEvent>> stream) {
        HttpServerRequest request = current.getCurrent().request();
        String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        LiveViewer viewer = admit(client, request.connection());
        try {
            return stream.get()
                    .onRequest().invoke(viewer::requested)
                    .onItem().invoke(viewer::sent)
                    .onTermination().invoke(() -> release(viewer));
        } catch (RuntimeException e) {
            release(viewer);
            throw e;
        }
    }

    private LiveViewer admit(String client, HttpConnection connection) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            throw new TooManyStreamsException("the server has " + max + " live streams open, its limit"
                    + " (lensboard.streams.max); retry in " + retryAfter + " s", retryAfter);
        }
        AtomicInteger mine = perClient.computeIfAbsent(client, c -> new AtomicInteger());
        if (mine.incrementAndGet() > maxPerClient) {
            mine.decrementAndGet();
            open.decrementAndGet();
            throw new TooManyStreamsException("this client has " + maxPerClient + " live streams open, its limit"
                    + " (lensboard.streams.max-per-client); close some (other tabs?) or retry in " + retryAfter + " s", retryAfter);
        }
        if (connection instanceof ConnectionBase socket) { // HTTP/1.1, a socket of its own
            socket.channel().config().setOption(ChannelOption.SO_SNDBUF, SEND_BUFFER);
        }
        LiveViewer viewer = new LiveViewer(client, connection);
        viewers.add(viewer);
        return viewer;
    }

    private void release(LiveViewer viewer) {
        if (viewers.remove(viewer)) {
            open.decrementAndGet();
            perClient.computeIfPresent(viewer.client, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    /**
     * On the event loop, every {@code period}: closes the connections found with a write waiting at looks that add up
     * to the stall. Counted over the stream's life, not in a row: the kernel lets a trickle through to a socket
     * nobody reads (it packs the receive queue), and a viewer waits for its next page now and then, so a run of
     * looks would rarely be unbroken; a viewer that reads finds its writes done at almost every look. A client
     * following with Last-Event-ID resumes where it was.
     */
    private void closeStalled(long period) {
        for (LiveViewer v : viewers) {
            if (v.waitingSince.get() != 0) {
                v.waitingLooks++;
            }
            if (v.waitingLooks * period >= stall.toMillis()) {
                LOG.debugf("closing a live stream to %s: its viewer read nothing for %s", v.client, stall);
                release(v);
                v.connection.close();
            }
        }
    }

    /** Closed at shutdown, so that no open stream holds the server (viewers reconnect with Last-Event-ID). */
    void stop(@Observes ShutdownEvent shutdown) {
        for (LiveViewer v : viewers) {
            release(v);
            v.connection.close();
        }
    }
}
