package io.lensboard.analysis;

import java.util.Locale;

/**
 * The network O_l whose output an input embedding is matched through (write-up "sentence representation"): the
 * model's first blocks, or one of the write-up's toys on the model's token embedding.
 */
public enum Network {
    /** The first {@code blocks} blocks, optional final norm and LM head. */
    TRANSFORMER,
    /** The invertible toy: the T embeddings flattened, Linear(T·d → 4·T·d), GELU, Linear(4·T·d → 4·T·d). */
    FCNET,
    /** The same with its last layer 4·T·d → T·d. */
    FCNET_NONINVERTIBLE,
    /** The attentionless block: per token d → 4d → GELU → d, no residual, no norm. */
    MLP;

    /** From the API's name: {@code transformer}, {@code fcnet}, {@code fcnet-noninvertible}, {@code mlp}. */
    public static Network of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** Parameters of a toy on T tokens of width d (0 for the transformer, whose parameters are the model's). */
    public long toyParameters(long tokens, long d) {
        long in = tokens * d;
        return switch (this) {
            case TRANSFORMER -> 0;
            case FCNET -> in * 4 * in + 4 * in + 4 * in * 4 * in + 4 * in;
            case FCNET_NONINVERTIBLE -> in * 4 * in + 4 * in + 4 * in * in + in;
            case MLP -> d * 4 * d + 4 * d + 4 * d * d + d;
        };
    }
}
