package io.lensboard.runs;

import java.util.Optional;

/** Which runs a list shows: by kind, model and state, each optional. */
public record RunFilter(Optional<String> kind, Optional<String> model, Optional<RunState> state) {
    public static final RunFilter ALL = new RunFilter(Optional.empty(), Optional.empty(), Optional.empty());
}
