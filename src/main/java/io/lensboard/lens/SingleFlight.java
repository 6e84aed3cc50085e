package io.lensboard.lens;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Reads by key, one at a time per key, each on a thread of its own and each under a deadline: callers of one key
 * share its read, a slow or hostile read of one key delays no other key, and once the deadline passes the read is
 * interrupted and every caller told why. At most {@code threads} keys are read at once; a read beyond that is
 * refused at once rather than queued behind the slow ones.
 */
final class SingleFlight<V> implements AutoCloseable {
    private final Duration deadline;
    private final Function<String, RuntimeException> late;
    private final Function<String, RuntimeException> busy;
    private final ThreadPoolExecutor readers;
    private final Map<String, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param late  the failure for a key still unread at the deadline
     * @param busy  the failure for a key that finds every reader thread taken
     */
    SingleFlight(String name, int threads, Duration deadline, Function<String, RuntimeException> late,
                 Function<String, RuntimeException> busy) {
        this.deadline = deadline;
        this.late = late;
        this.busy = busy;
        this.readers = new ThreadPoolExecutor(0, threads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The key's read, joined if one is under way, else started; it fails with the read's own failure or a late one. */
    CompletableFuture<V> start(String key, Callable<V> read) {
        CompletableFuture<V> started = new CompletableFuture<>();
        CompletableFuture<V> flight = inFlight.putIfAbsent(key, started);
        if (flight != null) {
            return flight;
        }
        started.whenComplete((v, t) -> inFlight.remove(key, started));
        Future<?> task;
        try {
            task = readers.submit(() -> {
                try {
                    started.complete(read.call());
                } catch (Throwable t) {
                    started.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException full) {
            started.completeExceptionally(busy.apply(key));
            return started;
        }
        CompletableFuture.delayedExecutor(deadline.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (started.completeExceptionally(late.apply(key))) {
                task.cancel(true); // a read that ignores the interrupt still frees its key for the next caller
            }
        });
        return started;
    }

    /** {@link #start}, waited for; the failure is rethrown as it was raised. Blocking. */
    V get(String key, Callable<V> read) {
        try {
            return start(key, read).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** How many keys are being read now. */
    int reading() {
        return inFlight.size();
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
