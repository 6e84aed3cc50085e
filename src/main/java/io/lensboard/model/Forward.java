package io.lensboard.model;

/**
 * How far a forward pass goes: through the first {@code blocks} blocks (a truncated model), then
 * optionally the final norm, then optionally the unembedding (the LM head). The write-ups also apply
 * the LM head straight to a truncated residual stream, without the final norm.
 */
public record Forward(int blocks, boolean finalNorm, boolean lmHead) {

    public static Forward full(ModelConfig config) {
        return new Forward(config.nLayers(), true, true);
    }

    /** Residual stream after block {@code blocks} (1-based), no norm, no head. */
    public static Forward residualAfter(int blocks) {
        return new Forward(blocks, false, false);
    }
}
