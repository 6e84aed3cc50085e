package io.lensboard.model.pool;

import io.lensboard.Problem;

/** No model has that id; the message says how to find one (the web layer answers 404). */
public class UnknownModelException extends Problem {
    public UnknownModelException(String message) {
        super(404, message);
    }
}
