package io.lensboard.runs;

/**
 * The parameters of a run that reconstructs a target from block l's output (1-based): a comparison of such runs names
 * the target and has a row per block.
 */
public interface TargetRun {
    /** What is reconstructed, such as {@code image:ID}. */
    String target();

    int layer();
}
