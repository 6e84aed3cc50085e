package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/**
 * What a forward pass does to an activation at a hook point before going on with it (TransformerLens's
 * {@code run_with_hooks}): activation patching replaces it with another run's, ablation with zeros or its mean.
 * The replacement must have the activation's shape and belong to its manager: the pass goes on from it, making the
 * rest of the block's arrays in the replacement's manager (one from a longer-lived manager would keep them there). The one
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

    /** Replaces the one activation named {@code hook} with {@code replace} of it. */
    static Intervention at(String hook, UnaryOperator<NDArray> replace) {
        return new Intervention() {
            @Override
            public boolean targets(String name) {
                return name.equals(hook);
            }

            @Override
            public NDArray apply(String name, NDArray activation) {
                return replace.apply(activation);
            }
        };
    }

    /** Whether this intervention changes the activation named {@code hook}. */
    boolean targets(String hook);

    /** The activation the pass goes on with instead of {@code activation}. */
    NDArray apply(String hook, NDArray activation);
}
