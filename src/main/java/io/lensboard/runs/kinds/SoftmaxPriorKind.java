package io.lensboard.runs.kinds;

import io.lensboard.analysis.FeatureAscent.Input;
import jakarta.inject.Singleton;

/** Ascent on logits a whose softmax weights the token embeddings, e = softmax(a) W_E; decoded by argmax a. */
@Singleton
public class SoftmaxPriorKind extends AscentKind {
    public SoftmaxPriorKind() {
        super(Input.SOFTMAX_PRIOR, 0.1);
    }

    @Override
    public String name() {
        return "softmax-prior";
    }

    @Override
    public String title() {
        return "Softmax prior";
    }
}
