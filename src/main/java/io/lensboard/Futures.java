package io.lensboard;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Work handed to another thread (the device thread, a loader) fails wrapped in CompletionException or
 * ExecutionException; callers want the failure itself, whose type says what went wrong (a 400, a 404, …).
 */
public final class Futures {
    private Futures() {}

    /** The failure inside any wrapping of completion or execution. */
    public static Throwable cause(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Waits for the work; its own failure is rethrown as it is (a checked one stays wrapped). */
    public static <T> T join(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            throw cause(e) instanceof RuntimeException r ? r : e;
        }
    }

    /** The failure's message, or its class where it has none. */
    public static String message(Throwable t) {
        Throwable cause = cause(t);
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
