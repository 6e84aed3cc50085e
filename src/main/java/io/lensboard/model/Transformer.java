package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.Weights.Init;
import java.util.Map;

/**
 * The forward pass shared by both architectures: embed, pre-norm residual blocks, final norm, unembed, as in
 * nanoGPT. An architecture supplies only what differs: its embedding and positions, its norm, how attention
 * makes queries, keys and values and projects its output, and its MLP. Activations have shape
 * [batch, position, d_model]. New arrays are attached to the manager of the input, never to the model's,
 * so a caller that closes its own scope frees every intermediate.
 */
public abstract class Transformer {
    protected final ModelConfig config;
    private Map<String, Param> parameters = Map.of();
    private long parameterBytes;

    protected Transformer(ModelConfig config) {
        this.config = config;
    }

    /**
     * The parameters by checkpoint name, as the subclass loaded them through {@code p} (what {@link #cast} copies),
     * and the bytes they hold.
     */
    final void parameters(ParameterLoader p) {
        parameters = Map.copyOf(p.loaded());
        parameterBytes = p.bytes();
    }

    /**
     * The same architecture built from {@code weights} with parameters of {@code type} on {@code manager}; GPT-2 and
     * Llama can, other architectures refuse.
     */
    protected Transformer rebuild(Weights weights, NDManager manager, DataType type) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " models run in float32 only");
    }

    /**
     * This model with every parameter cast to {@code type} (float64 for the sentence-representation runs), owned by
     * {@code manager}: the caller closes it. Every constant of the pass (norm epsilons, gelu_new's, the attention
     * scale, the mask, RoPE's angles) is made in the activations' type ({@link #constant}), so a float64 pass and its
     * gradient compute the float64 function, not one with float32-rounded constants. A half-precision model's
     * matrices are widened exactly (every bfloat16 and float16 value is a float32 and a float64 value).
     */
    public final Transformer cast(DataType type, NDManager manager) {
        Weights own = new Weights() {
            @Override
            public float[] get(String name, Init init, long... shape) {
                return parameters.get(name).floats();
            }

            @Override
            public String describe() {
                return "a " + type + " copy";
            }
        };
        return rebuild(own, manager, type);
    }

    public ModelConfig config() {
        return config;
    }

    /** W_U [d_model, vocab] of a language model: W_E transposed when the config ties them, else lm_head.weight's. */
    final Param unembedding(ParameterLoader p, Param wE, Init init) {
        return config.tiedEmbeddings() ? wE.transposed()
                : p.matrix("lm_head.weight", init, config.vocabSize(), config.dModel()).transposed();
    }

    /** The token embedding matrix W_E [vocab, d_model], as held. */
    protected abstract Param wE();

    /** W_E in float32 for work in {@code scope} (a half-precision model's is widened into {@code scope}). */
    public NDArray tokenEmbedding(NDManager scope) {
        return wE().f32(scope);
    }

    /** hook_embed: W_E[ids] for ids [batch, position], float32, attached to the manager of {@code ids}. */
    public NDArray embed(NDArray ids) {
        return wE().rows(ids.getManager(), new NDIndex("{}", ids));
    }

    /**
     * The keys and values every attention layer computed for a prefix of P positions of one sequence
     * ({@code blocks.{l}.attn.hook_k}, {@code hook_v}: [1, kv heads, P, d_head], keys after RoPE), so that a
     * batch of continuations of that prefix can be run without running the prefix again; and the prefix's
     * residual stream after the last of those blocks, [1, P, d_model].
     */
    public record Past(int length, NDArray[] keys, NDArray[] values, NDArray residual) {}

    /**
     * Runs the model from input embeddings e [batch, position, d_model] (GPT-2's position embedding
     * is added here) as far as {@code spec} says, capturing activations into {@code cache}. Returns
     * the last thing computed: the residual stream, its final-norm output, or the logits.
     * Differentiable with respect to {@code embeds}.
     */
    public final NDArray forward(NDArray embeds, Forward spec, ActivationCache cache) {
        return forward(embeds, spec, cache, null);
    }

    /**
     * As {@link #forward(NDArray, Forward, ActivationCache)} for positions P.. of sequences that all begin with
     * {@code past}'s P positions (null: no prefix); activations cover the new positions only.
     */
    public final NDArray forward(NDArray embeds, Forward spec, ActivationCache cache, Past past) {
        checkBlocks(spec);
        if (past != null && past.keys().length < spec.blocks()) {
            throw new IllegalArgumentException("the past covers " + past.keys().length + " blocks, not " + spec.blocks());
        }
        int offset = past == null ? 0 : past.length();
        checkContext(offset + embeds.getShape().get(1));
        NDArray h = inputResidual(cache.hook(Hooks.embed(), embeds), offset, cache);
        return blocks(0, h, spec, cache, past);
    }

    /**
     * The pass from block {@code from} on: {@code residPre} [batch, position, d_model] enters block {@code from} as
     * its hook_resid_pre (positions already in it), then blocks from..spec.blocks() - 1 and what {@code spec} adds.
     * Activation patching runs only the layers after the patched one, from the corrupted run's residual stream.
     */
    public final NDArray forwardFrom(int from, NDArray residPre, Forward spec, ActivationCache cache) {
        checkBlocks(spec);
        if (from < 0 || from > spec.blocks()) {
            throw new IllegalArgumentException("from must be in 0.." + spec.blocks() + ", got " + from);
        }
        checkContext(residPre.getShape().get(1));
        return blocks(from, residPre, spec, cache, null);
    }

    private NDArray blocks(int from, NDArray h, Forward spec, ActivationCache cache, Past past) {
        int offset = past == null ? 0 : past.length();
        NDArray mask = causal() ? causalMask(h.getManager(), h.getDataType(), offset, h.getShape().get(1)) : null;
        for (int l = from; l < spec.blocks(); l++) {
            h = block(l, h, mask, cache, past);
        }
        if (spec.finalNorm()) {
            h = cache.hook(Hooks.lnFinal(), finalNorm(h));
        }
        return spec.lmHead() ? unembed(h) : h;
    }

    private void checkBlocks(Forward spec) {
        if (spec.blocks() < 0 || spec.blocks() > config.nLayers()) {
            throw new IllegalArgumentException("blocks must be in 0.." + config.nLayers() + ", got " + spec.blocks());
        }
    }

    private void checkContext(long positions) {
        if (positions > config.nCtx()) {
            throw new IllegalArgumentException(positions + " positions exceed the context of " + config.nCtx());
        }
    }

    /**
     * Block l, pre-norm as in both papers: h_mid = h + attn(norm1(h)), h_post = h_mid + mlp(norm2(h_mid)).
     * The block's matrices are used from {@code w}, closed after the block: a half-precision model's float32
     * copies live one block at a time (autograd keeps what a backward pass needs).
     */
    private NDArray block(int l, NDArray h, NDArray mask, ActivationCache cache, Past past) {
        try (NDManager w = h.getManager().newSubManager()) {
            h = cache.hook(Hooks.residPre(l), h);
            NDArray attnOut = cache.hook(Hooks.attnOut(l), attention(l, norm1(l, h), mask, cache, past, w));
            NDArray hMid = cache.hook(Hooks.residMid(l), h.add(attnOut));
            NDArray mlpOut = cache.hook(Hooks.mlpOut(l), mlp(l, norm2(l, hMid), w));
            return cache.hook(Hooks.residPost(l), hMid.add(mlpOut));
        }
    }

    /**
     * Self-attention of block l (causal unless {@link #causal()} says otherwise) on x [B, T, d_model]: softmax(q k^T / sqrt(d_head) + mask) v over the
     * past's keys and values and the new ones, each key/value head shared by n_heads / n_kv_heads query heads.
     */
    private NDArray attention(int l, NDArray x, NDArray mask, ActivationCache cache, Past past, NDManager w) {
        QueryKeyValue qkv = queryKeyValue(l, x, past == null ? 0 : past.length(), w);
        NDArray k = qkv.k();
        NDArray v = qkv.v();
        k = cache.hook(Hooks.k(l), k);
        v = cache.hook(Hooks.v(l), v);
        if (past != null) {
            k = afterPast(past.keys()[l], k);
            v = afterPast(past.values()[l], v);
        }
        int groups = config.nHeads() / config.nKvHeads();
        if (groups > 1) {
            k = k.repeat(1, groups); // interleaved repeat, as Hugging Face's repeat_kv
            v = v.repeat(1, groups);
        }
        return outputProjection(l, attend(l, qkv.q(), k, v, mask, cache), cache, w);
    }

    /**
     * z W_O + b_O for the heads' results z [B, T, heads * d_head]. When hook_result is asked for, each head's
     * z_h · W_O[h] [B, T, heads, d_model] is made too; when it is intervened on, the output is Σ_h of the heads'
     * results as the intervention left them, + b_O (otherwise the one product, so that capturing changes nothing).
     */
    private NDArray outputProjection(int l, NDArray z, ActivationCache cache, NDManager w) {
        NDArray wO = outputWeight(l, w);
        NDArray bO = outputBias(l);
        NDArray out;
        if (cache.needs(Hooks.result(l))) {
            NDArray result = cache.hook(Hooks.result(l), headResults(z, wO, w));
            out = cache.intervenes(Hooks.result(l)) ? result.sum(new int[] {2}) : z.matMul(wO);
        } else {
            out = z.matMul(wO);
        }
        return bO == null ? out : out.add(bO);
    }

    /** hook_result: z [B, T, heads * d_head] and W_O [heads * d_head, d_model] to [B, T, heads, d_model]. */
    private NDArray headResults(NDArray z, NDArray wO, NDManager w) {
        Shape s = z.getShape();
        int heads = config.nHeads();
        long dHead = s.get(2) / heads;
        NDArray perHead = wO.reshape(heads, dHead, wO.getShape().get(1)); // W_O[h]: [heads, d_head, d_model]
        perHead.attach(w); // a view of a float32 model's own matrix would otherwise stay with the model's manager
        return z.reshape(s.get(0), s.get(1), heads, 1, dHead).matMul(perHead).squeeze(3);
    }

    /** The past of a prefix e [1, P, d_model] through the first {@code blocks} blocks. */
    public final Past past(NDArray embeds, int blocks) {
        ActivationCache cache = ActivationCache.of(Hooks::isKeyOrValue);
        NDArray residual = forward(embeds, Forward.residualAfter(blocks), cache);
        NDArray[] keys = new NDArray[blocks];
        NDArray[] values = new NDArray[blocks];
        for (int l = 0; l < blocks; l++) {
            keys[l] = cache.get(Hooks.k(l));
            values[l] = cache.get(Hooks.v(l));
        }
        return new Past((int) embeds.getShape().get(1), keys, values, residual);
    }

    /** Logits for token ids [batch, position] through the full model. */
    public final NDArray logits(NDArray ids) {
        return forward(embed(ids), Forward.full(config), ActivationCache.none());
    }

    /** Whether a position attends only to itself and earlier ones (language models); a ViT attends both ways. */
    protected boolean causal() {
        return true;
    }

    /** The residual stream entering block 0 for positions offset.. (GPT-2 adds learned positions). */
    protected abstract NDArray inputResidual(NDArray embeds, int offset, ActivationCache cache);

    /** The norm before block l's attention (ln_1, input_layernorm). */
    protected abstract NDArray norm1(int l, NDArray h);

    /** The norm before block l's MLP (ln_2, post_attention_layernorm). */
    protected abstract NDArray norm2(int l, NDArray hMid);

    /**
     * Block l's attention inputs for x [B, T, d_model] at positions offset..: q [B, heads, T, d_head] and
     * k, v [B, kv heads, T, d_head], with the model's position scheme already applied (Llama's RoPE).
     */
    protected record QueryKeyValue(NDArray q, NDArray k, NDArray v) {}

    protected abstract QueryKeyValue queryKeyValue(int l, NDArray x, int offset, NDManager w);

    /** Block l's output projection W_O [heads * d_head, d_model], in float32 from w. */
    protected abstract NDArray outputWeight(int l, NDManager w);

    /** Block l's output projection bias b_O [d_model], or null where the model has none (Llama). */
    public abstract NDArray outputBias(int l);

    /** Block l's MLP. */
    protected abstract NDArray mlp(int l, NDArray x, NDManager w);

    /* The three above take their matrices in float32 from w (Param.f32(w)); results belong to x's manager. */

    /** LayerNorm (GPT-2's and the ViT's) with the biased variance, as torch.nn.LayerNorm, eps from the config. */
    protected final NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add(constant(x, config.normEps())).sqrt()).mul(gamma).add(beta);
    }

    /** The constant v in x's precision ({@link Scalars#in}). */
    protected static Number constant(NDArray x, double v) {
        return Scalars.in(x, v);
    }

    /** The final norm (ln_f / norm) applied to a residual stream. */
    public abstract NDArray finalNorm(NDArray resid);

    /**
     * The final norm's parameters: LayerNorm's γ and β (centred), or RMSNorm's w (β null, not centred), so that an
     * attribution can apply the norm with its scale frozen ({@link #frozenFinalNorm}).
     */
    public record NormParts(NDArray weight, NDArray bias, boolean centred) {}

    protected abstract NormParts finalNormParts();

    /**
     * The final norm's linear part applied to a component c of the residual x, its scale frozen at x (TransformerLens's
     * apply_ln_to_stack): LayerNorm γ ⊙ (c − mean(c)) / σ(x), RMSNorm w ⊙ c / rms(x). Over components that sum to x
     * these sum to finalNorm(x) − β. c and x broadcast: c [..., d_model], x [..., d_model] with matching leading axes.
     */
    public final NDArray frozenFinalNorm(NDArray c, NDArray x) {
        NormParts n = finalNormParts();
        NDArray scale;
        if (n.centred()) {
            NDArray centredX = x.sub(x.mean(new int[] {-1}, true));
            scale = centredX.square().mean(new int[] {-1}, true).add(constant(x, config.normEps())).sqrt();
            c = c.sub(c.mean(new int[] {-1}, true));
        } else {
            scale = x.square().mean(new int[] {-1}, true).add(constant(x, config.normEps())).sqrt();
        }
        return c.div(scale).mul(n.weight());
    }

    /** The final norm's β [d_model], or null for RMSNorm. */
    public final NDArray finalNormBias() {
        return finalNormParts().bias();
    }

    /** W_U [d_model, vocab] in float32 for work in {@code scope}. */
    public NDArray unembedding(NDManager scope) {
        return wU().f32(scope);
    }

    /** The unembedding W_U [d_model, vocab], as held. */
    protected abstract Param wU();

    /** logits = normalized · W_U; a half-precision W_U is widened for this product only (a ViT adds its bias). */
    public NDArray unembed(NDArray normalized) {
        try (NDManager w = normalized.getManager().newSubManager()) {
            return normalized.matMul(wU().f32(w));
        }
    }

    /**
     * Additive causal mask [T, offset + T] of {@code type} for queries at positions offset.. and keys at 0..: 0 where
     * key position <= query position, a large negative elsewhere (its softmax weight is exactly 0 in either type).
     */
    private static NDArray causalMask(NDManager manager, DataType type, int offset, long t) {
        NDArray keys = manager.arange((float) (offset + t));
        NDArray queries = manager.arange((float) offset, (float) (offset + t));
        NDArray future = keys.expandDims(0).gt(queries.expandDims(1)); // [query, key]: key > query
        NDArray mask = future.toType(type, false);
        return mask.mul(constant(mask, -1e30));
    }

    /**
     * Keys or values of the past [1, heads, P, d_head] followed by the new ones [B, heads, T, d_head], for
     * each of the B sequences. The past is copied into the new ones' manager first: an operation's result
     * belongs to its first operand's manager, and the past's outlives this pass.
     */
    private static NDArray afterPast(NDArray past, NDArray now) {
        NDArray p = past.duplicate();
        p.attach(now.getManager());
        Shape s = now.getShape();
        return p.broadcast(new Shape(s.get(0), s.get(1), past.getShape().get(2), s.get(3))).concat(now, 2);
    }

    /**
     * softmax(q k^T / sqrt(d_head) + mask) v for q, k, v [B, heads, T, d_head] (mask null: bidirectional); returns
     * [B, T, heads * d_head].
     */
    private static NDArray attend(int l, NDArray q, NDArray k, NDArray v, NDArray mask, ActivationCache cache) {
        long dHead = q.getShape().get(3);
        NDArray qk = q.matMul(k.transpose(0, 1, 3, 2));
        NDArray scores = Scalars.over(qk, constant(qk, Math.sqrt(dHead)));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray z = cache.hook(Hooks.pattern(l), scores.softmax(-1)).matMul(v);
        Shape s = z.getShape();
        return z.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /** [B, T, heads * d_head] to [B, heads, T, d_head]. */
    protected static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** The bytes the model's parameters take on its device, as held (float32 vectors, matrices in the dtype). */
    public long parameterBytes() {
        return parameterBytes;
    }
}
