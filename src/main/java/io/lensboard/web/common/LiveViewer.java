package io.lensboard.web.common;

import io.vertx.core.http.HttpConnection;
import java.util.concurrent.atomic.AtomicLong;

/** One open stream: its demand, and since when (nanoTime) its last event waits to be written; 0 when not. */
final class LiveViewer {
    final String client;
    final HttpConnection connection;
    final AtomicLong demand = new AtomicLong();
    final AtomicLong waitingSince = new AtomicLong();
    /** The periodic looks that found a write waiting (only the event loop's timer reads and writes it). */
    int waitingLooks;

    LiveViewer(String client, HttpConnection connection) {
        this.client = client;
        this.connection = connection;
    }

    void requested(long n) {
        demand.addAndGet(n);
        waitingSince.set(0);
    }

    void sent(Object event) {
        if (demand.decrementAndGet() <= 0) {
            waitingSince.compareAndSet(0, System.nanoTime()); // written when the next request comes
        }
    }
}
