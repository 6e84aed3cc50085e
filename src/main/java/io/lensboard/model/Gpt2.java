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

    private record Block(NDArray ln1W, NDArray ln1B, NDArray attnW, NDArray attnB, NDArray attnProjW,
                         NDArray attnProjB, NDArray ln2W, NDArray ln2B, NDArray fcW, NDArray fcB,
                         NDArray mlpProjW, NDArray mlpProjB) {}

    private final NDArray wte; // W_E [vocab, d]
    private final NDArray wpe; // W_pos [n_ctx, d]
    private final NDArray lnfW;
    private final NDArray lnfB;
    private final NDArray unembedding; // W_U [d, vocab]
    private final Block[] blocks;
    private final long parameterBytes;

    public Gpt2(ModelConfig c, Weights weights, NDManager manager) {
        this(c, weights, manager, DataType.FLOAT32);
    }

    /** The model with parameters of {@code type}: float32 as loaded, float64 for {@link #cast}. */
    private Gpt2(ModelConfig c, Weights weights, NDManager manager, DataType type) {
        super(c);
        ParameterLoader p = new ParameterLoader(weights, manager, type);
        int d = c.dModel();
        Init normal = Init.normal(c.initializerRange());
        // Hugging Face scales the residual projections by 1/sqrt(2 n_layer) at initialisation.
        Init residual = Init.normal(c.initializerRange() / Math.sqrt(2.0 * c.nLayers()));
        wte = p.load("wte.weight", normal, c.vocabSize(), d);
        wpe = p.load("wpe.weight", normal, c.nCtx(), d);
        blocks = new Block[c.nLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String h = "h." + l + ".";
            blocks[l] = new Block(
                    p.load(h + "ln_1.weight", Init.ONES, d), p.load(h + "ln_1.bias", Init.ZEROS, d),
                    p.load(h + "attn.c_attn.weight", normal, d, 3L * d), p.load(h + "attn.c_attn.bias", Init.ZEROS, 3L * d),
                    p.load(h + "attn.c_proj.weight", residual, d, d), p.load(h + "attn.c_proj.bias", Init.ZEROS, d),
                    p.load(h + "ln_2.weight", Init.ONES, d), p.load(h + "ln_2.bias", Init.ZEROS, d),
                    p.load(h + "mlp.c_fc.weight", normal, d, c.dMlp()), p.load(h + "mlp.c_fc.bias", Init.ZEROS, c.dMlp()),
                    p.load(h + "mlp.c_proj.weight", residual, c.dMlp(), d), p.load(h + "mlp.c_proj.bias", Init.ZEROS, d));
        }
        lnfW = p.load("ln_f.weight", Init.ONES, d);
        lnfB = p.load("ln_f.bias", Init.ZEROS, d);
        unembedding = c.tiedEmbeddings() ? wte.transpose() : p.load("lm_head.weight", normal, c.vocabSize(), d).transpose();
        parameterBytes = p.bytes();
        parameters(p.loaded());
    }

    @Override
    protected Transformer rebuild(Weights weights, NDManager manager, DataType type) {
        return new Gpt2(config, weights, manager, type);
    }

    @Override
    public NDArray tokenEmbedding() {
        return wte;
    }

    /** hook_pos_embed = W_pos[offset:offset+T]; the residual stream starts as e + W_pos. */
    @Override
    protected NDArray inputResidual(NDArray embeds, int offset, ActivationCache cache) {
        long t = embeds.getShape().get(1);
        NDArray posEmbed = wpe.get(embeds.getManager(), new NDIndex("{}:{}", offset, offset + t));
        cache.put(Hooks.posEmbed(), posEmbed);
        return embeds.add(posEmbed);
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
    protected QueryKeyValue queryKeyValue(int l, NDArray x, int offset) {
        Block b = blocks[l];
        int heads = config.nHeads();
        long d = config.dModel();
        NDArray qkv = x.matMul(b.attnW).add(b.attnB);
        return new QueryKeyValue(splitHeads(qkv.get("..., 0:{}", d), heads),
                splitHeads(qkv.get("..., {}:{}", d, 2 * d), heads),
                splitHeads(qkv.get("..., {}:", 2 * d), heads));
    }

    @Override
    protected NDArray attnOutProjection(int l, NDArray z) {
        return z.matMul(blocks[l].attnProjW).add(blocks[l].attnProjB);
    }

    /** gelu_new(x·W_fc + b_fc)·W_proj + b_proj */
    @Override
    protected NDArray mlp(int l, NDArray x) {
        Block b = blocks[l];
        return geluNew(x.matMul(b.fcW).add(b.fcB)).matMul(b.mlpProjW).add(b.mlpProjB);
    }

    /** gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
    private static NDArray geluNew(NDArray x) {
        NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2.0 / Math.PI));
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }

    /** LayerNorm with the biased variance, as torch.nn.LayerNorm. */
    private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centred = x.sub(mean);
        NDArray var = centred.square().mean(new int[] {-1}, true);
        return centred.div(var.add((float) config.normEps()).sqrt()).mul(gamma).add(beta);
    }

    @Override
    public NDArray finalNorm(NDArray resid) {
        return layerNorm(resid, lnfW, lnfB);
    }

    @Override
    public NDArray unembed(NDArray normalized) {
        return normalized.matMul(unembedding);
    }

    @Override
    public long parameterBytes() {
        return parameterBytes;
    }
}
