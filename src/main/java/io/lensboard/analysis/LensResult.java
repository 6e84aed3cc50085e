package io.lensboard.analysis;

import java.util.List;

/**
 * The lens of one prompt by a model held in {@code dtype} (float32, bfloat16, float16): every decoded layer, in order,
 * and the decoder that read them: {@code logit} (the final norm and the unembedding as they are) or
 * {@code tuned:<lens id>} (a tuned lens's translator first); {@code ablation} the components removed from the pass
 * it decodes, or null.
 */
public record LensResult(String model, String dtype, String decoder, String prompt, List<Token> tokens, List<Layer> layers,
                         Ablation ablation) {
    public static final String LOGIT = "logit";
    public static final String TUNED = "tuned:";

    /** Without ablation ({@code ablation} null: the plain pass). */
    public LensResult(String model, String dtype, String decoder, String prompt, List<Token> tokens, List<Layer> layers) {
        this(model, dtype, decoder, prompt, tokens, layers, null);
    }

    /** Through the logit lens, by a float32 model. */
    public LensResult(String model, String prompt, List<Token> tokens, List<Layer> layers) {
        this(model, "float32", LOGIT, prompt, tokens, layers);
    }

    public record Token(long id, String text) {}

    /** A token among a position's top-k: its probability and raw logit under this layer's decoding. */
    public record TopToken(long id, String text, double prob, double logit) {}

    /**
     * One position of one layer. KLs are exact, in nats; ranks are 1-based, 1 + the number of
     * strictly larger logits; {@code rankNextToken} and {@code logProbNextToken} (log p of the true next token, whose
     * negative is the cross-entropy there) are null at the last position.
     */
    public record Position(List<TopToken> top, double entropy, double klFinal, double klInput,
                           long rankFinalTop1, Long rankNextToken, long rankInputToken, Double logProbNextToken) {}

    /**
     * A decoded residual stream. {@code layer} is 0 for the input embeddings and l for the stream after
     * block l; a sub-block row (hook_resid_mid, after block l's attention) has layer l - 0.5.
     */
    public record Layer(Number layer, String hook, List<Position> positions) {}
}
