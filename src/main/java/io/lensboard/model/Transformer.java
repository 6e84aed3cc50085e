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
     * Runs the model from input embeddings e [batch, position, d_model] (GPT-2's position embedding
     * is added here) as far as {@code spec} says, capturing activations into {@code cache}. Returns
     * the last thing computed: the residual stream, its final-norm output, or the logits.
     * Differentiable with respect to {@code embeds}.
     */
    public final NDArray forward(NDArray embeds, Forward spec, ActivationCache cache) {
        if (spec.blocks() < 0 || spec.blocks() > config.nLayers()) {
            throw new IllegalArgumentException("blocks must be in 0.." + config.nLayers() + ", got " + spec.blocks());
        }
        long positions = embeds.getShape().get(1);
        if (positions > config.nCtx()) {
            throw new IllegalArgumentException(positions + " positions exceed the context of " + config.nCtx());
        }
        cache.put("hook_embed", embeds);
        NDArray h = inputResidual(embeds, cache);
        NDArray mask = causalMask(embeds.getManager(), positions);
        for (int l = 0; l < spec.blocks(); l++) {
            cache.put(blockHook(l, "hook_resid_pre"), h);
            h = block(l, h, mask, cache);
            cache.put(blockHook(l, "hook_resid_post"), h);
        }
        if (spec.finalNorm()) {
            h = finalNorm(h);
            cache.put("ln_final.hook_normalized", h);
        }
        return spec.lmHead() ? unembed(h) : h;
    }

    /** Logits for token ids [batch, position] through the full model. */
    public final NDArray logits(NDArray ids) {
        return forward(embed(ids), Forward.full(config), ActivationCache.none());
    }

    /** The residual stream entering block 0 (GPT-2 adds learned positions). */
    protected abstract NDArray inputResidual(NDArray embeds, ActivationCache cache);

    /** One block: returns resid_post and records attn_out, resid_mid and mlp_out. */
    protected abstract NDArray block(int l, NDArray residPre, NDArray mask, ActivationCache cache);

    /** The final norm (ln_f / norm) applied to a residual stream. */
    public abstract NDArray finalNorm(NDArray resid);

    /** logits = normalized · W_U */
    public abstract NDArray unembed(NDArray normalized);

    /** Additive causal mask [T, T]: 0 where key position <= query position, a large negative elsewhere. */
    private static NDArray causalMask(NDManager manager, long t) {
        NDArray pos = manager.arange(t);
        NDArray future = pos.expandDims(0).gt(pos.expandDims(1)); // [query, key]: key > query
        return future.toType(DataType.FLOAT32, false).mul(-1e30f);
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
