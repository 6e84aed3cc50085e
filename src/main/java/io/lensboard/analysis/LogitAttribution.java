package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Direct logit attribution (issue 24, item 2): the lens's logit for a token at one cell (position {@code pos}, the
 * residual x after {@code layer} blocks) split into what each component wrote into the residual stream. x is the sum
 * of hook_embed, hook_pos_embed (GPT-2), and per block each head's hook_result, b_O (where the model has one) and
 * hook_mlp_out; the final norm is linear once its scale is frozen at x (TransformerLens's apply_ln_to_stack), so
 * <pre>logit = Σ_c N(c) · u + β · u,   N(c) = γ ⊙ (c − mean(c)) / σ(x)  (RMSNorm: w ⊙ c / rms(x), β = 0)</pre>
 * with u = W_U[:, token] (− W_U[:, against]). Everything after the forward pass runs in float32.
 */
public final class LogitAttribution {
    public static final int MAX_TOPK = LogitLens.MAX_TOPK;
    /** The largest [components, V] float32 block unembedded at once for the promoted tokens (128 MiB). */
    private static final long CHUNK_ELEMENTS = 1L << 25;

    private LogitAttribution() {}

    /** {@code layer} null: the model's last (the lens's output row). {@code against} null: the token's logit alone. */
    public record Request(String prompt, int pos, String token, String against, Integer layer, int topk) {}

    /**
     * One component: its hook name, its block (null for the embeddings), its head (null unless a head), its share of
     * the logit, and the tokens its normalised vector N(c) raises and lowers most (value: N(c) · W_U[:, id]).
     */
    public record Component(String name, Integer layer, Integer head, double contribution, List<TokenValue> promotes,
                            List<TokenValue> suppresses) {}

    /** The answer; Σ components' contributions + bias = logit up to float32 rounding. */
    public record Result(String model, String dtype, List<LensResult.Token> tokens, int pos, int layer, LensResult.Token token,
                         LensResult.Token against, double logit, double bias, List<Component> components) {}

    /** Checks the request against the model and attributes. Must run on the thread that owns the model's device. */
    public static Result run(LoadedModel model, Request request) {
        LensTokenizer tok = model.tokenizer(); // an image model has none: its 422
        if (request.topk() < 1 || request.topk() > MAX_TOPK) {
            throw new InvalidInputException("topk must be between 1 and " + MAX_TOPK + ", got " + request.topk());
        }
        long[] ids = LogitLens.tokenize(model, new LogitLens.Request(request.prompt(), 1, false));
        if (request.pos() < 0 || request.pos() >= ids.length) {
            throw new InvalidInputException("pos must be a position between 0 and " + (ids.length - 1) + " (the prompt is "
                    + ids.length + " tokens long), got " + request.pos());
        }
        int nLayers = model.config().nLayers();
        int layer = request.layer() == null ? nLayers : request.layer();
        if (layer < 0 || layer > nLayers) {
            throw new InvalidInputException("layer must be between 0 (the embeddings) and " + nLayers + " (the output), got "
                    + layer);
        }
        LensResult.Token token = token(tok, SingleTokens.resolve(tok, request.token(), "token"));
        LensResult.Token against = request.against() == null ? null
                : token(tok, SingleTokens.resolve(tok, request.against(), "against"));
        try (NDManager scope = model.newScope()) {
            return attribute(model, ids, request.pos(), layer, token, against, Math.min(request.topk(), tok.vocabSize()), scope);
        }
    }

    private static Result attribute(LoadedModel model, long[] ids, int pos, int layer, LensResult.Token token,
                                    LensResult.Token against, int k, NDManager scope) {
        Transformer tf = model.transformer();
        Set<String> wanted = new HashSet<>(List.of(Hooks.embed(), Hooks.posEmbed()));
        for (int l = 0; l < layer; l++) {
            wanted.add(Hooks.result(l));
            wanted.add(Hooks.mlpOut(l));
        }
        ActivationCache cache = ActivationCache.of(wanted::contains);
        NDArray x = tf.forward(tf.embed(scope.create(ids).reshape(1, ids.length)), Forward.residualAfter(layer), cache);

        // The lens's own logit at this cell: the norm and the unembedding as the lens runs them, in the model's dtype (at
        // this position only: the norm is per position, and [T, V] logits of a long prompt would be large).
        NDArray atPos = x.get(new NDIndex("0:1, {}:{}", pos, pos + 1)); // [1, 1, d_model]
        NDArray lensLogits = tf.unembed(tf.finalNorm(atPos)).toType(DataType.FLOAT32, false).reshape(-1);
        double logit = lensLogits.getFloat(token.id()) - (against == null ? 0 : lensLogits.getFloat(against.id()));

        List<Part> parts = new ArrayList<>();
        NDList vectors = new NDList();
        components(tf, cache, pos, layer, parts, vectors, scope);
        NDArray c = f32(NDArrays.stack(vectors)); // [n, d_model]
        NDArray xPos = f32(atPos.reshape(1, -1)); // [1, d_model]
        NDArray normalised = tf.frozenFinalNorm(c, xPos); // N(c) for every component
        NDArray wU = tf.unembedding(scope); // [d_model, V]
        // W_U may be the model's own array: what is taken from it is made in the request's scope.
        NDArray u = wU.get(scope, new NDIndex(":, {}", token.id()));
        if (against != null) {
            u = u.sub(wU.get(scope, new NDIndex(":, {}", against.id())));
        }
        float[] contributions = normalised.matMul(u).toFloatArray();
        NDArray beta = tf.finalNormBias();
        double bias = beta == null ? 0 : u.mul(beta).sum().getFloat();

        List<List<TokenValue>> promotes = new ArrayList<>();
        List<List<TokenValue>> suppresses = new ArrayList<>();
        topTokens(normalised, wU, k, model.tokenizer(), promotes, suppresses);
        List<Component> out = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            out.add(new Component(p.name(), p.layer(), p.head(), contributions[i], promotes.get(i), suppresses.get(i)));
        }
        return new Result(model.id(), model.dtype().id, LogitLens.tokens(model, ids), pos, layer, token, against, logit, bias, out);
    }

    /** A component's name, block (null for the embeddings) and head (null unless a head). */
    private record Part(String name, Integer layer, Integer head) {}

    /**
     * The components at position {@code pos}, in the residual stream's order: hook_embed, hook_pos_embed (GPT-2), then
     * per block every head's hook_result, b_O where the model has one, hook_mlp_out. Their vectors go to {@code vectors},
     * their names to {@code parts}.
     */
    private static void components(Transformer tf, ActivationCache cache, int pos, int layer, List<Part> parts,
                                   NDList vectors, NDManager scope) {
        NDIndex at = new NDIndex("0, {}", pos);
        for (String embedding : List.of(Hooks.embed(), Hooks.posEmbed())) {
            if (cache.asMap().containsKey(embedding)) {
                parts.add(new Part(embedding, null, null));
                // GPT-2's hook_pos_embed is [T, d_model], unbatched: both read as [T, d_model] rows
                NDArray rows = cache.get(embedding);
                vectors.add(f32(rows.reshape(-1, rows.getShape().get(rows.getShape().dimension() - 1)).get(pos)));
            }
        }
        int heads = tf.config().nHeads();
        for (int l = 0; l < layer; l++) {
            NDArray result = cache.get(Hooks.result(l)).get(at); // [heads, d_model]
            for (int h = 0; h < heads; h++) {
                parts.add(new Part(Hooks.result(l, h), l, h));
                vectors.add(f32(result.get(h)));
            }
            NDArray bO = tf.outputBias(l);
            if (bO != null) {
                parts.add(new Part(Hooks.bO(l), l, null));
                NDArray copy = bO.toType(DataType.FLOAT32, true); // the model's parameter: a copy, owned by the request
                copy.attach(scope);
                vectors.add(copy);
            }
            parts.add(new Part(Hooks.mlpOut(l), l, null));
            vectors.add(f32(cache.get(Hooks.mlpOut(l)).get(at)));
        }
    }

    /**
     * What each component pushes up and down (the LLM Transparency Tool's promoted and suppressed tokens): the top-k and
     * bottom-k of N(c) W_U, N(c) being the component "normalised", i.e. through the final norm with its scale frozen at
     * x and its weight applied (no β: that is no component's). The value for the attributed token is therefore the
     * component's contribution to its logit. Unembedded a block of components at a time.
     */
    private static void topTokens(NDArray normalised, NDArray wU, int k, LensTokenizer tok, List<List<TokenValue>> promotes,
                                  List<List<TokenValue>> suppresses) {
        int n = (int) normalised.getShape().get(0);
        int block = (int) Math.max(1, CHUNK_ELEMENTS / wU.getShape().get(1));
        for (int from = 0; from < n; from += block) {
            try (NDManager blockScope = normalised.getManager().newSubManager()) {
                NDArray rows = normalised.get(new NDIndex("{}:{}", from, Math.min(n, from + block)));
                rows.attach(blockScope);
                NDArray logits = rows.matMul(wU); // [block, V]
                promotes.addAll(tokens(logits.topK(k, -1, true, true), k, tok));
                suppresses.addAll(tokens(logits.topK(k, -1, false, true), k, tok));
            }
        }
    }

    /** topK's (values, indices) [rows, k] as one list of tokens per row. */
    private static List<List<TokenValue>> tokens(NDList top, int k, LensTokenizer tok) {
        float[] values = top.get(0).toFloatArray();
        long[] ids = top.get(1).toLongArray();
        List<List<TokenValue>> out = new ArrayList<>();
        for (int r = 0; r < values.length / k; r++) {
            List<TokenValue> row = new ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                long id = ids[r * k + j];
                row.add(new TokenValue(id, tok.text(id), values[r * k + j]));
            }
            out.add(row);
        }
        return out;
    }

    private static LensResult.Token token(LensTokenizer tok, long id) {
        return new LensResult.Token(id, tok.text(id));
    }

    private static NDArray f32(NDArray a) {
        return a.toType(DataType.FLOAT32, false);
    }
}
