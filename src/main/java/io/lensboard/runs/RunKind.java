package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.model.ModelConfig;
import java.util.Optional;

/** A kind of long-running analysis: how its parameters are checked, and how it runs. */
public interface RunKind {
    String name();

    /**
     * Checks every parameter (InvalidInputException naming the bad one) and returns them normalised with
     * defaults. {@code config} is the model's, when known before loading (local models), for range checks.
     */
    ObjectNode validate(JsonNode params, Optional<ModelConfig> config);

    /** Runs the job on the run thread, device work through the context; returns the result, or null if cancelled. */
    Object execute(RunContext ctx, JsonNode params);
}
