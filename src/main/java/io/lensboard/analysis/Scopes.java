package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Helpers that keep an optimisation's per-step arrays in the step's own manager. */
final class Scopes {
    private Scopes() {}

    /**
     * A copy of a run-long array owned by {@code scope}. An operation attaches its result to its first
     * operand's manager, so per-step arithmetic must start from arrays the step owns, or it piles up
     * on the run's manager.
     */
    static NDArray copy(NDArray a, NDManager scope) {
        NDArray copy = a.duplicate();
        copy.attach(scope);
        return copy;
    }
}
