package io.lensboard.runs.kinds;

import io.lensboard.analysis.FeatureAscent.Input;
import jakarta.inject.Singleton;

/** Ascent on logits a whose softmax weights the token embeddings, e = softmax(a) W_E; decoded by argmax a. */
@Singleton
public class SoftmaxPriorKind extends AscentKind {
    public SoftmaxPriorKind() {
        super("softmax-prior", "Softmax prior", Input.SOFTMAX_PRIOR, 0.1);
    }
}
