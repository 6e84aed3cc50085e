package io.lensboard.runs;

import io.lensboard.model.LoadedModel;
import java.util.function.Function;

/** What a running job sees: its leased model, device work, progress events and cancellation. */
public interface RunContext {
    LoadedModel model();

    /** Runs {@code work} on the model's device thread and waits for it. */
    <T> T onDevice(Function<LoadedModel, T> work);

    /** Appends an event to the run's log and publishes it to followers; {@code data} becomes JSON. */
    void emit(String type, Object data);

    boolean cancelled();
}
