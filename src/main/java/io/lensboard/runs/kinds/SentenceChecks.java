package io.lensboard.runs.kinds;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.Network;
import io.lensboard.analysis.NetworkSpec;
import io.lensboard.analysis.Precision;
import io.lensboard.analysis.Prompts;
import io.lensboard.analysis.Repetition;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.TokenText;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What the sentence-representation kinds (reconstruction and the walks) check and report alike. */
final class SentenceChecks {
    /**
     * The most parameters a toy network may have: fcnet grows as 20·T²·d², so at GPT-2's width of 768 this allows
     * the write-up's prompts of a few tokens (5 tokens: 295 M) and refuses what would not fit in memory.
     */
    static final long MAX_TOY_PARAMETERS = 400_000_000L;

    private SentenceChecks() {}

    static void prompt(String prompt) {
        if (prompt.isEmpty()) {
            throw new InvalidInputException("params.prompt is empty: give the text whose embedding is used");
        }
    }

    static void blocks(int blocks, Optional<ModelConfig> config) {
        config.ifPresent(c -> ParamSchema.range("blocks", blocks, 0, c.nLayers()));
    }

    static int decodeEvery(Integer decodeEvery, int steps) {
        int k = decodeEvery == null ? Math.min(10, steps) : decodeEvery;
        ParamSchema.range("decode_every", k, 1, steps);
        return k;
    }

    static NetworkSpec network(String network, int blocks, boolean finalNorm, boolean lmHead, long seed, String precision) {
        return new NetworkSpec(Network.of(network), blocks, finalNorm, lmHead, seed,
                Precision.valueOf(precision.toUpperCase(Locale.ROOT)));
    }

    /** The prompt's length in tokens against the context, and a toy's size on that many tokens; returns T. */
    static int tokens(String prompt, String network, LensTokenizer tokenizer, ModelConfig config) {
        int n = Prompts.encode(tokenizer, prompt, "params.prompt").length;
        if (n > config.nCtx()) {
            throw new InvalidInputException("params.prompt is " + n + " tokens long; the model has a context of " + config.nCtx()
                    + " tokens: shorten it");
        }
        long parameters = Network.of(network).toyParameters(n, config.dModel());
        if (parameters > MAX_TOY_PARAMETERS) {
            throw new InvalidInputException("params.network " + network + " on " + n + " tokens of width " + config.dModel() + " has "
                    + parameters + " parameters, more than " + MAX_TOY_PARAMETERS + ": shorten the prompt or use mlp");
        }
        return n;
    }

    /**
     * A decoding as a step event reports it: the top-1 ids and tokens, per position its top-k tokens, and the top-1's
     * repetition; {@link #NONE} (all null, so absent from the event) between decodings.
     */
    record Decoded(long[] ids, List<TokenText> tokens, List<List<TokenText>> topkTokens, Double repetition) {
        static final Decoded NONE = new Decoded(null, null, null, null);
    }

    static Decoded decoded(long[][] topk, LensTokenizer tok) {
        return new Decoded(topk[0], TokenText.of(tok.texts(topk[0])),
                Arrays.stream(perPosition(topk)).map(t -> TokenText.of(tok.texts(t))).toList(), Repetition.of(topk[0]));
    }

    /** a / b, or null where b is 0 (JSON has no NaN). */
    static Double ratio(double a, double b) {
        return b == 0 ? null : a / b;
    }

    /** [k][T] to [T][k]: per position, its k decodings. */
    static long[][] perPosition(long[][] topk) {
        long[][] out = new long[topk[0].length][topk.length];
        for (int j = 0; j < topk.length; j++) {
            for (int i = 0; i < topk[0].length; i++) {
                out[i][j] = topk[j][i];
            }
        }
        return out;
    }
}
