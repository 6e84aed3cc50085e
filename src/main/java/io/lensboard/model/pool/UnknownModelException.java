package io.lensboard.model.pool;

/** No model has that id; the message says how to find one (the web layer answers 404). */
public class UnknownModelException extends RuntimeException {
    public UnknownModelException(String message) {
        super(message);
    }
}
