package io.lensboard.analysis;

import io.lensboard.Problem;

/** Input an analysis cannot run on; the message says what to change (the web layer answers 400). */
public class InvalidInputException extends Problem {
    public InvalidInputException(String message) {
        super(400, message);
    }
}
