package io.lensboard.model;

/** A tuned lens id that names no lens directory here nor on the hub (404). */
public class UnknownLensException extends RuntimeException {
    public UnknownLensException(String message) {
        super(message);
    }
}
