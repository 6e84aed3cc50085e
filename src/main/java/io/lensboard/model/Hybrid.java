package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A ViT's stem in front of a language model's blocks (write-up "language model representations and features"):
 * hook_embed and hook_pos_embed are the ViT's (CLS, projected patches, the ViT's position embeddings), then the
 * stack's blocks exactly as the stack runs them, its norms, MLP and mask included (GPT-2: causal, so token t sees
 * tokens 0..t and CLS only itself), without the stack's own position embeddings. Token 0 is CLS, token t >= 1
 * patch t - 1. The final norm and head are the stack's; block outputs are read before them.
 */
public final class Hybrid extends Transformer implements ImageStem {
    private final Vit stem;
    private final Transformer stack;

    /** The stem's width must be the stack's: the patches enter the stack's residual stream as they are. */
    public Hybrid(Vit stem, Transformer stack) {
        super(stack.config().withInput(stem.config().nCtx(), stem.vision()));
        if (stem.config().dModel() != stack.config().dModel()) {
            throw new CheckpointException("the stem is " + stem.config().dModel() + " wide but the stack is "
                    + stack.config().dModel() + " wide; a hybrid needs the same d_model (ViT-Base/16 and GPT-2 small are both 768)");
        }
        this.stem = stem;
        this.stack = stack;
    }

    @Override
    public VisionConfig vision() {
        return stem.vision();
    }

    @Override
    public NDArray embedPixels(NDArray pixelValues) {
        return stem.embedPixels(pixelValues);
    }

    @Override
    protected Param wE() {
        throw ImageStem.notText();
    }

    /** The stem's position embeddings, not the stack's. */
    @Override
    protected NDArray inputResidual(NDArray embeds, int offset, ActivationCache cache) {
        return stem.inputResidual(embeds, offset, cache);
    }

    @Override
    protected boolean causal() {
        return stack.causal();
    }

    @Override
    protected NDArray norm1(int l, NDArray h) {
        return stack.norm1(l, h);
    }

    @Override
    protected NDArray norm2(int l, NDArray hMid) {
        return stack.norm2(l, hMid);
    }

    @Override
    protected QueryKeyValue queryKeyValue(int l, NDArray x, int offset, NDManager w) {
        return stack.queryKeyValue(l, x, offset, w);
    }

    @Override
    protected NDArray outputWeight(int l, NDManager w) {
        return stack.outputWeight(l, w);
    }

    @Override
    public NDArray outputBias(int l) {
        return stack.outputBias(l);
    }

    @Override
    protected NDArray mlp(int l, NDArray x, NDManager w) {
        return stack.mlp(l, x, w);
    }

    @Override
    public NDArray finalNorm(NDArray resid) {
        return stack.finalNorm(resid);
    }

    @Override
    protected NormParts finalNormParts() {
        return stack.finalNormParts();
    }

    @Override
    protected Param wU() {
        return stack.wU();
    }

    @Override
    public long parameterBytes() {
        return stem.parameterBytes() + stack.parameterBytes();
    }
}
