package io.lensboard;

/**
 * A failure that is not a bug: the request asked for something that cannot be done, or something outside lensboard
 * (the disk, the hub) failed. It carries the HTTP status it answers with, chosen where the failure is understood,
 * so the web layer's mapper only maps; its message says what to change. Plain Java, so every layer (analysis and
 * model included) may throw one without knowing of the web.
 */
public abstract class Problem extends RuntimeException {
    private final int status;

    protected Problem(int status, String message) {
        super(message);
        this.status = status;
    }

    protected Problem(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** 400 bad input, 404 nothing by that name, 413/415/422 an unusable upload or checkpoint, 429 full, 503 unavailable. */
    public int status() {
        return status;
    }
}
