package io.lensboard.runs;

import io.lensboard.Problem;

/** The run queue is full (the web layer answers 429). */
public class TooManyRunsException extends Problem {
    public TooManyRunsException(String message) {
        super(429, message);
    }
}
