package io.lensboard.runs;

/**
 * A kind whose runs read one feature of one block: such runs can fill the cells of an alignment table, which
 * sets their {@code layer} and {@code feature} parameters.
 */
public interface FeatureKind<P extends Record & FeatureRun> extends RunKind<P> {
    @Override
    default String subject(P params) {
        return "block " + params.layer() + " " + params.feature();
    }
}
