package io.lensboard.runs;

import io.lensboard.Problem;

/** A run has nothing of the asked kind to export (the web layer answers 404); the message says why. */
public class NothingToExportException extends Problem {
    public NothingToExportException(String message) {
        super(404, message);
    }
}
