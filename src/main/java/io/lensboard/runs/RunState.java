package io.lensboard.runs;

/** queued -> loading -> running -> done | failed | cancelled | interrupted (by a restart). */
public enum RunState {
    QUEUED, LOADING, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED;

    public boolean finished() {
        return ordinal() >= DONE.ordinal();
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String key() {
        return name().toLowerCase();
    }
}
