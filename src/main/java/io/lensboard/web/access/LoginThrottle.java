package io.lensboard.web.access;

import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down token guessing: a client (by address) that sent {@link #LIMIT} wrong tokens within a minute is refused
 * until the oldest of them is a minute old, whatever it sends. Behind a proxy every client shares its address, so a
 * guesser there locks out the others for at most a minute.
 */
@Singleton
public class LoginThrottle {
    static final int LIMIT = 10;
    private static final long WINDOW_MS = 60_000;
    /** Past this many clients, those with no recent failure are forgotten, so guessers cannot grow the map. */
    private static final int TRACKED = 10_000;

    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    /** Seconds the client must wait before it may try again, or 0. */
    public long retryAfter(String client) {
        Deque<Long> times = failures.get(client);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            long now = System.currentTimeMillis();
            prune(times, now);
            return times.size() < LIMIT ? 0 : Math.max(1, (times.peekFirst() + WINDOW_MS - now + 999) / 1000);
        }
    }

    static String tooMany(long seconds) {
        return LIMIT + " wrong tokens in a minute from this address; try again in " + seconds + " s";
    }

    /** A wrong token from this client. */
    public void failed(String client) {
        long now = System.currentTimeMillis();
        if (failures.size() >= TRACKED) {
            failures.values().removeIf(times -> {
                synchronized (times) {
                    prune(times, now);
                    return times.isEmpty();
                }
            });
        }
        Deque<Long> times = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        synchronized (times) {
            prune(times, now);
            times.addLast(now);
            while (times.size() > LIMIT) {
                times.removeFirst();
            }
        }
    }

    private static void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - WINDOW_MS) {
            times.removeFirst();
        }
    }
}
