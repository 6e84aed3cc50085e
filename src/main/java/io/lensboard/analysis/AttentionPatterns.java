package io.lensboard.analysis;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Transformer;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Every head's attention pattern (TransformerLens's {@code blocks.{l}.attn.hook_pattern}):
 * A[l, h, q, k] = softmax_k(q_h(x_q) · k_h(x_k) / sqrt(d_head)), keys after the query excluded (weight exactly 0).
 * With grouped-query attention (Llama's n_kv_heads &lt; n_heads) each of the n_heads query heads has its own pattern
 * over the key head it shares; the patterns come from the model's own forward pass, so they are what it computes.
 */
public final class AttentionPatterns {
    /**
     * The most weights (L·H·T·T) one request may produce: 2^22 float32 values, 16 MiB as a tensor and about 45 MB as
     * JSON. gpt2-small (12 × 12 heads) reaches it at 170 tokens, a 32 × 32-head Llama at 64.
     */
    public static final long MAX_WEIGHTS = 1L << 22;

    private AttentionPatterns() {}

    /**
     * {@code patterns[l][h][q][k]}: how much query position q of block l's head h reads key position k (rows sum to 1).
     * {@code dtype} is the one the weights were held in; the patterns are widened to float32.
     */
    public record Result(String model, String dtype, List<LensResult.Token> tokens, int layers, int heads,
                         float[][][][] patterns) {}

    /**
     * Tokenizes the prompt and refuses, before any work, a prompt with no tokens, one longer than the context, and one
     * whose L·H·T·T patterns pass {@link #MAX_WEIGHTS}; an image model's missing tokenizer is its 422.
     */
    public static long[] tokenize(LoadedModel model, String prompt) {
        if (prompt == null || prompt.isEmpty()) {
            throw new InvalidInputException("prompt is empty: pass prompt=<text>");
        }
        long[] ids = Prompts.encode(model.tokenizer(), prompt, "prompt");
        ModelConfig c = model.config();
        if (ids.length == 0) {
            throw new InvalidInputException("prompt has no tokens: give some text");
        }
        if (ids.length > c.nCtx()) {
            throw new InvalidInputException("prompt is " + ids.length + " tokens long; " + model.id() + " has a context of "
                    + c.nCtx() + " tokens: shorten it");
        }
        checkSize(model.id(), c, ids.length);
        return ids;
    }

    /** Refuses T tokens whose L·H·T·T weights pass {@link #MAX_WEIGHTS}, naming the limit and the longest prompt that fits. */
    public static void checkSize(String model, ModelConfig c, int t) {
        long weights = (long) c.nLayers() * c.nHeads() * t * t;
        if (weights > MAX_WEIGHTS) {
            long most = (long) Math.floor(Math.sqrt((double) MAX_WEIGHTS / ((long) c.nLayers() * c.nHeads())));
            throw new InvalidInputException("prompt is " + t + " tokens long; " + model + "'s " + c.nLayers() + " layers × "
                    + c.nHeads() + " heads × T × T attention weights would be " + weights + ", over the limit of " + MAX_WEIGHTS
                    + ": shorten the prompt to at most " + most + " tokens");
        }
    }

    /** One forward pass capturing hook_pattern in every block. Must run on the thread that owns the model's device. */
    public static Result run(LoadedModel model, long[] ids) {
        Transformer tf = model.transformer();
        ModelConfig c = model.config();
        int layers = c.nLayers();
        int heads = c.nHeads();
        int t = ids.length;
        Set<String> names = IntStream.range(0, layers).mapToObj(Hooks::pattern).collect(Collectors.toSet());
        float[][][][] patterns = new float[layers][heads][t][t];
        try (NDManager scope = model.newScope()) {
            ActivationCache cache = ActivationCache.of(names::contains);
            tf.forward(tf.embed(scope.create(ids).reshape(1, t)), Forward.residualAfter(layers), cache);
            for (int l = 0; l < layers; l++) {
                float[] p = cache.get(Hooks.pattern(l)).toType(DataType.FLOAT32, false).toFloatArray(); // [1, H, T, T]
                for (int h = 0; h < heads; h++) {
                    for (int q = 0; q < t; q++) {
                        System.arraycopy(p, (h * t + q) * t, patterns[l][h][q], 0, t);
                    }
                }
            }
        }
        return new Result(model.id(), model.dtype().id, LogitLens.tokens(model, ids), layers, heads, patterns);
    }

    /** The patterns as one row-major [L, H, T, T] array (the safetensors export's tensor {@code pattern}). */
    public static float[] flat(Result r) {
        int t = r.tokens().size();
        float[] out = new float[r.layers() * r.heads() * t * t];
        int i = 0;
        for (float[][][] layer : r.patterns()) {
            for (float[][] head : layer) {
                for (float[] row : head) {
                    System.arraycopy(row, 0, out, i, t);
                    i += t;
                }
            }
        }
        return out;
    }
}
