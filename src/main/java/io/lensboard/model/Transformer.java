package io.lensboard.model;

import static io.lensboard.model.ActivationCache.blockHook;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The forward pass shared by both architectures: embed, blocks, final norm, unembed, as in nanoGPT.
 * Activations have shape [batch, position, d_model]. New arrays are attached to the manager of the
 * input, never to the model's, so a caller that closes its own scope frees every intermediate.
 */
public abstract class Transformer {
    protected final ModelConfig config;
    protected final NDManager weightsManager;

    protected Transformer(ModelConfig config, NDManager weightsManager) {
        this.config = config;
        this.weightsManager = weightsManager;
    }

    public ModelConfig config() {
        return config;
    }

    /** The token embedding matrix W_E [vocab, d_model]. */
    public abstract NDArray tokenEmbedding();

    /** hook_embed: W_E[ids] for ids [batch, position], attached to the manager of {@code ids}. */
    public NDArray embed(NDArray ids) {
        return tokenEmbedding().get(ids.getManager(), new NDIndex("{}", ids));
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
        if (spec.blocks() < 0 || spec.blocks() > config.nLayers()) {
            throw new IllegalArgumentException("blocks must be in 0.." + config.nLayers() + ", got " + spec.blocks());
        }
        if (past != null && past.keys().length < spec.blocks()) {
            throw new IllegalArgumentException("the past covers " + past.keys().length + " blocks, not " + spec.blocks());
        }
        int offset = past == null ? 0 : past.length();
        long positions = embeds.getShape().get(1);
        if (offset + positions > config.nCtx()) {
            throw new IllegalArgumentException((offset + positions) + " positions exceed the context of " + config.nCtx());
        }
        cache.put("hook_embed", embeds);
        NDArray h = inputResidual(embeds, offset, cache);
        NDArray mask = causalMask(embeds.getManager(), offset, positions);
        for (int l = 0; l < spec.blocks(); l++) {
            cache.put(blockHook(l, "hook_resid_pre"), h);
            h = block(l, h, mask, cache, past);
            cache.put(blockHook(l, "hook_resid_post"), h);
        }
        if (spec.finalNorm()) {
            h = finalNorm(h);
            cache.put("ln_final.hook_normalized", h);
        }
        return spec.lmHead() ? unembed(h) : h;
    }

    /** The past of a prefix e [1, P, d_model] through the first {@code blocks} blocks. */
    public final Past past(NDArray embeds, int blocks) {
        ActivationCache cache = ActivationCache.of(name -> name.endsWith("attn.hook_k") || name.endsWith("attn.hook_v"));
        NDArray residual = forward(embeds, Forward.residualAfter(blocks), cache);
        NDArray[] keys = new NDArray[blocks];
        NDArray[] values = new NDArray[blocks];
        for (int l = 0; l < blocks; l++) {
            keys[l] = cache.get(blockHook(l, "attn.hook_k"));
            values[l] = cache.get(blockHook(l, "attn.hook_v"));
        }
        return new Past((int) embeds.getShape().get(1), keys, values, residual);
    }

    /** Logits for token ids [batch, position] through the full model. */
    public final NDArray logits(NDArray ids) {
        return forward(embed(ids), Forward.full(config), ActivationCache.none());
    }

    /** The residual stream entering block 0 for positions offset.. (GPT-2 adds learned positions). */
    protected abstract NDArray inputResidual(NDArray embeds, int offset, ActivationCache cache);

    /** One block: returns resid_post and records attn_out, resid_mid and mlp_out; attention also sees the past's. */
    protected abstract NDArray block(int l, NDArray residPre, NDArray mask, ActivationCache cache, Past past);

    /** The final norm (ln_f / norm) applied to a residual stream. */
    public abstract NDArray finalNorm(NDArray resid);

    /** logits = normalized · W_U */
    public abstract NDArray unembed(NDArray normalized);

    /**
     * Additive causal mask [T, offset + T] for queries at positions offset.. and keys at 0..: 0 where key
     * position <= query position, a large negative elsewhere.
     */
    private static NDArray causalMask(NDManager manager, int offset, long t) {
        NDArray keys = manager.arange((float) (offset + t));
        NDArray queries = manager.arange((float) offset, (float) (offset + t));
        NDArray future = keys.expandDims(0).gt(queries.expandDims(1)); // [query, key]: key > query
        return future.toType(DataType.FLOAT32, false).mul(-1e30f);
    }

    /**
     * Keys or values of the past [1, heads, P, d_head] followed by the new ones [B, heads, T, d_head], for
     * each of the B sequences. The past is copied into the new ones' manager first: an operation's result
     * belongs to its first operand's manager, and the past's outlives this pass.
     */
    protected static NDArray afterPast(NDArray past, NDArray now) {
        NDArray p = past.duplicate();
        p.attach(now.getManager());
        Shape s = now.getShape();
        return p.broadcast(new Shape(s.get(0), s.get(1), past.getShape().get(2), s.get(3))).concat(now, 2);
    }

    /**
     * softmax(q k^T / sqrt(d_head) + mask) v for q, k, v [B, heads, T, d_head]; returns [B, T, heads * d_head].
     */
    protected static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long dHead = q.getShape().get(3);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div((float) Math.sqrt(dHead)).add(mask);
        NDArray z = scores.softmax(-1).matMul(v);
        Shape s = z.getShape();
        return z.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /** [B, T, heads * d_head] to [B, heads, T, d_head]. */
    protected static NDArray splitHeads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** Parameter count times 4 bytes: what the model holds on its device. */
    public abstract long parameterBytes();
}
