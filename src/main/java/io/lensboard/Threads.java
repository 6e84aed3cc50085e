package io.lensboard;

import io.vertx.core.Context;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rule every blocking call checks: JDBC, waiting for the device, file IO and rendering never run on a Vert.x
 * event-loop thread (one blocked loop stalls every connection it serves). Such a call fails at once, loudly, and
 * is counted, so a test that opens every stream proves none happened.
 */
public final class Threads {
    private static final AtomicInteger ON_EVENT_LOOP = new AtomicInteger();

    private Threads() {}

    /** Throws when called on an event-loop thread; {@code what} names the blocking work, for the log. */
    public static void blocking(String what) {
        if (Context.isOnEventLoopThread()) {
            ON_EVENT_LOOP.incrementAndGet();
            throw new IllegalStateException(what + " on the Vert.x event loop (" + Thread.currentThread().getName()
                    + "): run it on a worker thread (@Blocking)");
        }
    }

    /** How many blocking calls were refused on an event loop since start. */
    public static int refusedOnEventLoop() {
        return ON_EVENT_LOOP.get();
    }
}
