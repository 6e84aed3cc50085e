package io.lensboard.runs;

/**
 * A kind whose runs can be run again with a new seed (the run page's "run again"): the kind, not its caller, makes
 * the next run's parameters.
 */
public interface Seeded<P extends Record & SeededRun> extends RunKind<P> {
    /** The same run with the next seed. */
    default P nextSeed(P params) {
        return schema().with(params, "seed", params.seed() + 1); // "seed": SeededRun's accessor, so the record's component
    }
}
