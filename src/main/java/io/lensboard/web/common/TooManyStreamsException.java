package io.lensboard.web.common;

import io.lensboard.Problem;

/** Every live-stream slot, or this client's share of them, is taken: 503 with a Retry-After (seconds). */
public class TooManyStreamsException extends Problem {
    private final int retryAfterSeconds;

    public TooManyStreamsException(String message, int retryAfterSeconds) {
        super(503, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
