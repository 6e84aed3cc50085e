package io.lensboard.runs;

/**
 * The parameters a study's axes feed (besides the model): how many blocks O_l has, whether the LM head ends it, and
 * the seed. A study sets them per cell, by these names ({@link GridTable#STUDIES}).
 */
public interface StudyRun extends SeededRun {
    int blocks();

    boolean lmHead();
}
