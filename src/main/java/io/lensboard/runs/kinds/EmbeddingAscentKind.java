package io.lensboard.runs.kinds;

import io.lensboard.analysis.FeatureAscent.Input;
import jakarta.inject.Singleton;

/** Gradient ascent on the input embedding, decoded through the pseudo-inverse W⁺. */
@Singleton
public class EmbeddingAscentKind extends AscentKind {
    public EmbeddingAscentKind() {
        super("ascent", "Gradient ascent on the embedding", Input.EMBEDDING, 0.01);
    }
}
