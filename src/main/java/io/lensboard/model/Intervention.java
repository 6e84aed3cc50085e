package io.lensboard.model;

import ai.djl.ndarray.NDArray;

/**
 * What a forward pass does to an activation at a hook point before going on with it (TransformerLens's
 * {@code run_with_hooks}): activation patching replaces it with another run's, ablation with zeros or its mean.
 * The replacement must have the activation's shape and belong to its manager (or a longer-lived one); the one
 * exception is a batch-1 activation replaced by B rows of its shape, after which the pass goes on with B rows
 * (patching a head computes the attention once for all of its rows that way).
 */
public interface Intervention {
    /** No intervention: every activation goes on as computed. */
    Intervention NONE = new Intervention() {
        @Override
        public boolean targets(String hook) {
            return false;
        }

        @Override
        public NDArray apply(String hook, NDArray activation) {
            return activation;
        }
    };

    /** Whether this intervention changes the activation named {@code hook}. */
    boolean targets(String hook);

    /** The activation the pass goes on with instead of {@code activation}. */
    NDArray apply(String hook, NDArray activation);
}
