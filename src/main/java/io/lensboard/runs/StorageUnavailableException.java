package io.lensboard.runs;

import io.lensboard.Problem;

/** The run store cannot be used (an unwritable data directory, say); the web layer answers 503 with the reason. */
public class StorageUnavailableException extends Problem {
    public StorageUnavailableException(String message) {
        super(503, message);
    }
}
