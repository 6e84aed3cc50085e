package io.lensboard.runs;

/** No run has that id (the web layer answers 404). */
public class UnknownRunException extends RuntimeException {
    public UnknownRunException(String message) {
        super(message);
    }
}
