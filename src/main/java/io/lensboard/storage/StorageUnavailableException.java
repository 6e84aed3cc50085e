package io.lensboard.storage;

/** The database cannot be used (an unwritable data directory, say); the web layer answers 503 with the reason. */
public class StorageUnavailableException extends RuntimeException {
    public StorageUnavailableException(String message) {
        super(message);
    }
}
