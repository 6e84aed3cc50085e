package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;

/** O_l: maps an input embedding e [1, T, d] to the output that is compared (differentiable in e). */
@FunctionalInterface
public interface TargetNetwork {
    NDArray output(NDArray e);
}
