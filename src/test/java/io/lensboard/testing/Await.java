package io.lensboard.testing;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * The one way a test waits for something another thread or process does: poll until it holds, and fail, naming what
 * was awaited and what was last seen, when it never does. A wait is not a timing assertion: limits are generous, so a
 * slow machine passes, and a condition that never holds fails instead of falling through to assertions that were
 * never meant to run early.
 */
public final class Await {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    /** Long enough not to hammer a busy 2-core machine, short enough not to add seconds to a test. */
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(200);

    private Await() {}

    /** Something to look at that may throw (an HTTP call, a store read). */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** A condition that may throw while it is checked. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code probe} until its value passes {@code done} and returns that value; after {@code limit} fails with
     * "waited N s for {@code what}" and the last value seen. An exception from the probe ends the wait at once: a
     * failed request is a failure, not "not yet".
     */
    public static <T> T until(String what, Duration limit, Probe<T> probe, Predicate<? super T> done) {
        long end = System.nanoTime() + limit.toNanos();
        long pause = FIRST_PAUSE.toMillis();
        T last;
        while (true) {
            last = look(what, probe);
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("waited " + limit.toSeconds() + " s for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
            pause = Math.min(2 * pause, LONGEST_PAUSE.toMillis());
        }
    }

    /** Polls {@code condition} until it holds; after {@code limit} fails with "waited N s for {@code what}". */
    public static void until(String what, Duration limit, Condition condition) {
        until(what, limit, condition::holds, Boolean::booleanValue);
    }

    private static <T> T look(String what, Probe<T> probe) {
        try {
            return probe.get();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("while waiting for " + what + ": " + e, e);
        }
    }
}
