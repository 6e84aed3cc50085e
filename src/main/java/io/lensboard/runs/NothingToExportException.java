package io.lensboard.runs;

/** A run has nothing of the asked kind to export (the web layer answers 404); the message says why. */
public class NothingToExportException extends RuntimeException {
    public NothingToExportException(String message) {
        super(message);
    }
}
