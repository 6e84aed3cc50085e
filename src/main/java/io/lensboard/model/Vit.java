package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.Weights.Init;

/**
 * The Vision Transformer (Dosovitskiy et al. 2021) as Hugging Face's ViTModel: the image cut into P x P patches,
 * each flattened (channel, row, column) and projected (the 16x16 convolution), a learned CLS token in front,
 * learned position embeddings added; pre-LayerNorm blocks with bidirectional attention and exact (erf) GELU; a
 * final LayerNorm; the classifier on the CLS token when the checkpoint has one. Linear weights are stored
 * [out, in] (y = x W^T + b) and transposed once here.
 */
public final class Vit extends Transformer implements ImageStem {

    private record Block(NDArray ln1W, NDArray ln1B, NDArray wQ, NDArray bQ, NDArray wK, NDArray bK, NDArray wV,
                         NDArray bV, NDArray wO, NDArray bO, NDArray ln2W, NDArray ln2B, NDArray wIn, NDArray bIn,
                         NDArray wOut, NDArray bOut) {}

    private final VisionConfig vision;
    private final NDArray cls;        // [1, 1, d]
    private final NDArray pos;        // W_pos [1, tokens, d]
    private final NDArray patchW;     // W_patch^T [C * P * P, d]
    private final NDArray patchB;     // [d]
    private final Block[] blocks;
    private final NDArray lnW;
    private final NDArray lnB;
    private final Param classifierW; // [d, labels], or null
    private final NDArray classifierB;

    public Vit(ModelConfig c, Weights weights, NDManager manager) {
        super(c);
        this.vision = c.vision();
        ParameterLoader p = new ParameterLoader(weights, manager);
        int d = c.dModel();
        int patch = vision.patchSize();
        Init normal = Init.normal(c.initializerRange());
        cls = p.load("embeddings.cls_token", normal, 1, 1, d);
        pos = p.load("embeddings.position_embeddings", normal, 1, vision.tokens(), d);
        patchW = p.load("embeddings.patch_embeddings.projection.weight", normal, d, vision.channels(), patch, patch)
                .reshape(d, (long) vision.channels() * patch * patch).transpose();
        patchB = p.load("embeddings.patch_embeddings.projection.bias", Init.ZEROS, d);
        blocks = new Block[c.nLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String h = "encoder.layer." + l + ".";
            String att = h + "attention.attention.";
            blocks[l] = new Block(
                    p.load(h + "layernorm_before.weight", Init.ONES, d), p.load(h + "layernorm_before.bias", Init.ZEROS, d),
                    linear(p, att + "query.weight", normal, d, d), p.load(att + "query.bias", Init.ZEROS, d),
                    linear(p, att + "key.weight", normal, d, d), p.load(att + "key.bias", Init.ZEROS, d),
                    linear(p, att + "value.weight", normal, d, d), p.load(att + "value.bias", Init.ZEROS, d),
                    linear(p, h + "attention.output.dense.weight", normal, d, d),
                    p.load(h + "attention.output.dense.bias", Init.ZEROS, d),
                    p.load(h + "layernorm_after.weight", Init.ONES, d), p.load(h + "layernorm_after.bias", Init.ZEROS, d),
                    linear(p, h + "intermediate.dense.weight", normal, c.dMlp(), d),
                    p.load(h + "intermediate.dense.bias", Init.ZEROS, c.dMlp()),
                    linear(p, h + "output.dense.weight", normal, d, c.dMlp()), p.load(h + "output.dense.bias", Init.ZEROS, d));
        }
        lnW = p.load("layernorm.weight", Init.ONES, d);
        lnB = p.load("layernorm.bias", Init.ZEROS, d);
        int labels = vision.labels().size();
        classifierW = labels > 0 ? p.matrix("classifier.weight", normal, labels, d).transposed() : null;
        classifierB = labels > 0 ? p.load("classifier.bias", Init.ZEROS, labels) : null;
        parameters(p);
    }

    /** A Linear's weight [out, in] loaded and transposed to [in, out], so that y = x · W + b. */
    private static NDArray linear(ParameterLoader p, String name, Init init, long out, long in) {
        return p.load(name, init, out, in).transpose();
    }

    @Override
    public VisionConfig vision() {
        return vision;
    }

    /** [CLS; patches · W_patch + b]: the 16x16 convolution with stride 16 written as one matrix product. */
    @Override
    public NDArray embedPixels(NDArray pixelValues) {
        Shape s = pixelValues.getShape();
        int g = vision.grid();
        int patch = vision.patchSize();
        if (s.dimension() != 4 || s.get(1) != vision.channels() || s.get(2) != vision.imageSize() || s.get(3) != vision.imageSize()) {
            throw new IllegalArgumentException("pixel_values must be [B, " + vision.channels() + ", " + vision.imageSize()
                    + ", " + vision.imageSize() + "], got " + s);
        }
        long b = s.get(0);
        // [B, C, gy, P, gx, P] -> [B, gy, gx, C, P, P]: patch p = gy * grid + gx, flattened (channel, row, column)
        NDArray patches = pixelValues.reshape(b, vision.channels(), g, patch, g, patch).transpose(0, 2, 4, 1, 3, 5)
                .reshape(b, (long) g * g, (long) vision.channels() * patch * patch);
        NDArray projected = patches.matMul(patchW).add(patchB);
        NDArray clsTokens = cls.get(pixelValues.getManager(), new ai.djl.ndarray.index.NDIndex(":"))
                .broadcast(b, 1, config.dModel());
        return clsTokens.concat(projected, 1);
    }

    /** A ViT has no token embedding: its input is an image. */
    @Override
    protected Param wE() {
        throw ImageStem.notText();
    }

    /** hook_pos_embed = W_pos; the residual stream starts as [CLS; patches] + W_pos. */
    @Override
    protected NDArray inputResidual(NDArray embeds, int offset, ActivationCache cache) {
        long t = embeds.getShape().get(1);
        NDArray posEmbed = pos.get(embeds.getManager(), new ai.djl.ndarray.index.NDIndex(":, {}:{}", offset, offset + t));
        return embeds.add(cache.hook(Hooks.posEmbed(), posEmbed));
    }

    @Override
    protected boolean causal() {
        return false;
    }

    @Override
    protected NDArray norm1(int l, NDArray h) {
        return layerNorm(h, blocks[l].ln1W, blocks[l].ln1B);
    }

    @Override
    protected NDArray norm2(int l, NDArray hMid) {
        return layerNorm(hMid, blocks[l].ln2W, blocks[l].ln2B);
    }

    @Override
    protected QueryKeyValue queryKeyValue(int l, NDArray x, int offset, NDManager w) {
        Block b = blocks[l];
        int heads = config.nHeads();
        return new QueryKeyValue(splitHeads(x.matMul(b.wQ).add(b.bQ), heads), splitHeads(x.matMul(b.wK).add(b.bK), heads),
                splitHeads(x.matMul(b.wV).add(b.bV), heads));
    }

    @Override
    protected NDArray outputWeight(int l, NDManager w) {
        return blocks[l].wO;
    }

    @Override
    public NDArray outputBias(int l) {
        return blocks[l].bO;
    }

    /** GELU(x · W_in + b_in) · W_out + b_out, GELU exact: x Φ(x) = 0.5 x (1 + erf(x / sqrt 2)). */
    @Override
    protected NDArray mlp(int l, NDArray x, NDManager w) {
        Block b = blocks[l];
        NDArray a = x.matMul(b.wIn).add(b.bIn);
        NDArray gelu = Scalars.times(a, 0.5f).mul(Scalars.over(a, (float) Math.sqrt(2.0)).erf().add(1f));
        return gelu.matMul(b.wOut).add(b.bOut);
    }

    @Override
    public NDArray finalNorm(NDArray resid) {
        return layerNorm(resid, lnW, lnB);
    }

    @Override
    protected NormParts finalNormParts() {
        return new NormParts(lnW, lnB, true);
    }

    /** The classifier's weight [d_model, labels]. */
    @Override
    protected Param wU() {
        if (classifierW == null) {
            throw new CheckpointException("the ViT has no classifier (its config's architectures name no "
                    + "ViTForImageClassification): it gives hidden states, not labels");
        }
        return classifierW;
    }

    /** The classifier's logits for every token (a prediction reads token 0, CLS, as ViTForImageClassification does). */
    @Override
    public NDArray unembed(NDArray normalized) {
        return super.unembed(normalized).add(classifierB);
    }
}
