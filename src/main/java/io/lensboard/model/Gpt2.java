package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.lensboard.model.Weights.Init;

/**
 * GPT-2 (Radford et al. 2019): learned positions, pre-LayerNorm blocks, Conv1D weights stored
 * [in, out] so that y = x·W + b, gelu_new in the MLP, unembedding tied to W_E unless untied.
 */
public final class Gpt2 extends Transformer {

    private record Block(NDArray ln1W, NDArray ln1B, Param attnW, NDArray attnB, Param attnProjW,
                         NDArray attnProjB, NDArray ln2W, NDArray ln2B, Param fcW, NDArray fcB,
                         Param mlpProjW, NDArray mlpProjB) {}

    private final Param wte; // W_E [vocab, d]
    private final Param wpe; // W_pos [n_ctx, d]
    private final NDArray lnfW;
    private final NDArray lnfB;
    private final Param unembedding; // W_U [d, vocab]
    private final Block[] blocks;

    public Gpt2(ModelConfig c, Weights weights, NDManager manager) {
        this(c, weights, manager, Dtype.FLOAT32);
    }

    /** The model with matrices held in {@code dtype}, arithmetic in float32. */
    public Gpt2(ModelConfig c, Weights weights, NDManager manager, Dtype dtype) {
        this(c, new ParameterLoader(weights, manager, dtype));
    }

    /** The model as {@code p} loads it: in its dtype, or every parameter in float64 for {@link #cast}. */
    private Gpt2(ModelConfig c, ParameterLoader p) {
        super(c);
        int d = c.dModel();
        Init normal = Init.normal(c.initializerRange());
        // Hugging Face scales the residual projections by 1/sqrt(2 n_layer) at initialisation.
        Init residual = Init.normal(c.initializerRange() / Math.sqrt(2.0 * c.nLayers()));
        wte = p.matrix("wte.weight", normal, c.vocabSize(), d);
        wpe = p.matrix("wpe.weight", normal, c.nCtx(), d);
        blocks = new Block[c.nLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String h = "h." + l + ".";
            blocks[l] = new Block(
                    p.load(h + "ln_1.weight", Init.ONES, d), p.load(h + "ln_1.bias", Init.ZEROS, d),
                    p.matrix(h + "attn.c_attn.weight", normal, d, 3L * d), p.load(h + "attn.c_attn.bias", Init.ZEROS, 3L * d),
                    p.matrix(h + "attn.c_proj.weight", residual, d, d), p.load(h + "attn.c_proj.bias", Init.ZEROS, d),
                    p.load(h + "ln_2.weight", Init.ONES, d), p.load(h + "ln_2.bias", Init.ZEROS, d),
                    p.matrix(h + "mlp.c_fc.weight", normal, d, c.dMlp()), p.load(h + "mlp.c_fc.bias", Init.ZEROS, c.dMlp()),
                    p.matrix(h + "mlp.c_proj.weight", residual, c.dMlp(), d), p.load(h + "mlp.c_proj.bias", Init.ZEROS, d));
        }
        lnfW = p.load("ln_f.weight", Init.ONES, d);
        lnfB = p.load("ln_f.bias", Init.ZEROS, d);
        unembedding = unembedding(p, wte, normal);
        parameters(p);
    }

    @Override
    protected Transformer rebuild(Weights weights, NDManager manager, DataType type) {
        return new Gpt2(config, new ParameterLoader(weights, manager, type));
    }

    @Override
    protected Param wE() {
        return wte;
    }

    @Override
    protected Param wU() {
        return unembedding;
    }

    /** hook_pos_embed = W_pos[offset:offset+T]; the residual stream starts as e + W_pos. */
    @Override
    protected NDArray inputResidual(NDArray embeds, int offset, ActivationCache cache) {
        long t = embeds.getShape().get(1);
        NDArray posEmbed = wpe.rows(embeds.getManager(), new NDIndex("{}:{}", offset, offset + t));
        return embeds.add(cache.hook(Hooks.posEmbed(), posEmbed));
    }

    @Override
    protected NDArray norm1(int l, NDArray h) {
        return layerNorm(h, blocks[l].ln1W, blocks[l].ln1B);
    }

    @Override
    protected NDArray norm2(int l, NDArray hMid) {
        return layerNorm(hMid, blocks[l].ln2W, blocks[l].ln2B);
    }

    /** [q k v] = x·W_attn + b_attn in one matrix product, split; positions are already in x. */
    @Override
    protected QueryKeyValue queryKeyValue(int l, NDArray x, int offset, NDManager w) {
        Block b = blocks[l];
        int heads = config.nHeads();
        long d = config.dModel();
        NDArray qkv = x.matMul(b.attnW.f32(w)).add(b.attnB);
        return new QueryKeyValue(splitHeads(qkv.get("..., 0:{}", d), heads),
                splitHeads(qkv.get("..., {}:{}", d, 2 * d), heads),
                splitHeads(qkv.get("..., {}:", 2 * d), heads));
    }

    @Override
    protected NDArray outputWeight(int l, NDManager w) {
        return blocks[l].attnProjW.f32(w);
    }

    @Override
    public NDArray outputBias(int l) {
        return blocks[l].attnProjB;
    }

    /** gelu_new(x·W_fc + b_fc)·W_proj + b_proj */
    @Override
    protected NDArray mlp(int l, NDArray x, NDManager w) {
        Block b = blocks[l];
        return geluNew(x.matMul(b.fcW.f32(w)).add(b.fcB)).matMul(b.mlpProjW.f32(w)).add(b.mlpProjB);
    }

    /** gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), its constants in x's precision */
    private static NDArray geluNew(NDArray x) {
        NDArray inner = Scalars.times(x.add(Scalars.times(Scalars.power(x, 3), constant(x, 0.044715))), constant(x, Math.sqrt(2.0 / Math.PI)));
        return Scalars.times(x, 0.5f).mul(inner.tanh().add(1f));
    }

    @Override
    public NDArray finalNorm(NDArray resid) {
        return layerNorm(resid, lnfW, lnfB);
    }

    @Override
    protected NormParts finalNormParts() {
        return new NormParts(lnfW, lnfB, true);
    }
}
