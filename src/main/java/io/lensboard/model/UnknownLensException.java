package io.lensboard.model;

import io.lensboard.Problem;

/** A tuned lens id that names no lens directory here nor on the hub (404). */
public class UnknownLensException extends Problem {
    public UnknownLensException(String message) {
        super(404, message);
    }
}
