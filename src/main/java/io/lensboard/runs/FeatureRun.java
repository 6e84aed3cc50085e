package io.lensboard.runs;

import io.lensboard.model.Hooks;

/**
 * The parameters every feature kind has: block l (1-based) and a feature slice of its output. An alignment
 * table sets them per cell; templates show {@link #hook()}.
 */
public interface FeatureRun {
    int layer();

    String feature();

    /** The activation the feature is read from: block l's output. */
    default String hook() {
        return Hooks.residPost(layer() - 1);
    }
}
