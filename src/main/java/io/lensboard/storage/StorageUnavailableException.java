package io.lensboard.storage;

import io.lensboard.Problem;

/** The database cannot be used (an unwritable data directory, say); the web layer answers 503 with the reason. */
public class StorageUnavailableException extends Problem {
    public StorageUnavailableException(String message) {
        super(503, message);
    }
}
