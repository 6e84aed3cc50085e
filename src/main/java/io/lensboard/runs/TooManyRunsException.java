package io.lensboard.runs;

/** The run queue is full (the web layer answers 429). */
public class TooManyRunsException extends RuntimeException {
    public TooManyRunsException(String message) {
        super(message);
    }
}
