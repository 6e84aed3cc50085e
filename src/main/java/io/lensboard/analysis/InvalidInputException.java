package io.lensboard.analysis;

/** Input an analysis cannot run on; the message says what to change (the web layer answers 400). */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
