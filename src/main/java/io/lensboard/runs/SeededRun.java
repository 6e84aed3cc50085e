package io.lensboard.runs;

/** The parameters of a run drawn from a seed: the same parameters with another seed are another draw. */
public interface SeededRun {
    long seed();
}
