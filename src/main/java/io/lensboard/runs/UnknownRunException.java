package io.lensboard.runs;

import io.lensboard.Problem;

/** No run has that id (the web layer answers 404). */
public class UnknownRunException extends Problem {
    public UnknownRunException(String message) {
        super(404, message);
    }
}
