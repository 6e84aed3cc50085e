package io.lensboard.runs.kinds;

import io.lensboard.analysis.TokenValue;
import io.lensboard.runs.TokenText;

/** A {@link TokenValue} in an event: the same JSON, with its text typed as a token so that pages show it visibly. */
public record ScoredToken(long id, TokenText text, double value) {
    static ScoredToken of(TokenValue v) {
        return new ScoredToken(v.id(), new TokenText(v.text()), v.value());
    }
}
