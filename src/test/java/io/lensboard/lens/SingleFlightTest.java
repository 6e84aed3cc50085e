package io.lensboard.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.model.CheckpointException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How tuned lenses are read ({@link TunedLenses}): one read per id, none waiting on another, each under a deadline. */
class SingleFlightTest {

    private static SingleFlight<String> flights(int threads, Duration deadline) {
        return new SingleFlight<>("test-reader", threads, deadline,
                id -> new CheckpointException(id + " was not read in time"),
                id -> new UncheckedIOException(id + ": every reader is busy", new java.io.IOException("busy")));
    }

    @Test
    void aSlowReadDelaysNoOtherId() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (SingleFlight<String> flights = flights(4, Duration.ofSeconds(30))) {
            CompletableFuture<String> hostile = flights.start("hostile", () -> {
                release.await();
                return "late";
            });
            long t0 = System.nanoTime();
            assertEquals("fine", flights.get("legit", () -> "fine"));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "the other id is read at once");
            release.countDown();
            assertEquals("late", hostile.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void callersOfOneIdShareOneRead() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (SingleFlight<String> flights = flights(4, Duration.ofSeconds(30))) {
            CompletableFuture<String> first = flights.start("lens", () -> {
                reads.incrementAndGet();
                release.await();
                return "read";
            });
            CompletableFuture<String> second = flights.start("lens", () -> "a second read");
            assertSame(first, second, "joined, not read again");
            release.countDown();
            assertEquals("read", second.get(10, TimeUnit.SECONDS));
            assertEquals(1, reads.get());
            assertEquals("again", flights.get("lens", () -> "again"), "once done, the next caller reads afresh");
        }
    }

    @Test
    void aReadPastItsDeadlineIsStoppedAndRefused() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        try (SingleFlight<String> flights = flights(4, Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            CheckpointException e = assertThrows(CheckpointException.class, () -> flights.get("trickled", () -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException stopped) {
                    interrupted.countDown();
                }
                return "never";
            }));
            assertTrue(e.getMessage().contains("trickled was not read in time"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "refused at the deadline");
            assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the read was interrupted");
            assertEquals(0, flights.reading(), "the id is free for the next caller");
        }
    }

    @Test
    void aReadBeyondTheReadersIsRefusedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (SingleFlight<String> flights = flights(1, Duration.ofSeconds(30))) {
            flights.start("busy", () -> {
                release.await();
                return "x";
            });
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> flights.get("other", () -> "y"));
            assertTrue(e.getMessage().contains("every reader is busy"), e.getMessage());
            release.countDown();
        }
    }
}
