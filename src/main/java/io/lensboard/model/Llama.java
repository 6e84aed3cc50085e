package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.lensboard.model.Weights.Init;

/**
 * Llama (Touvron et al. 2023): RMSNorm, rotate-half RoPE with base rope_theta, grouped-query
 * attention (query head h reads key/value head h / (n_heads / n_kv_heads)), SwiGLU MLP.
 * Hugging Face stores Linear weights [out, in]; they are kept transposed so that y = x·W.
 */
public final class Llama extends Transformer {

    private record Block(NDArray attnNorm, NDArray wq, NDArray wk, NDArray wv, NDArray wo,
                         NDArray mlpNorm, NDArray wGate, NDArray wUp, NDArray wDown) {}

    private final NDArray embedTokens; // W_E [vocab, d]
    private final NDArray norm;
    private final NDArray unembedding; // W_U [d, vocab]
    private final Block[] blocks;
    private final long parameterBytes;

    public Llama(ModelConfig c, Weights weights, NDManager manager) {
        this(c, weights, manager, DataType.FLOAT32);
    }

    /** The model with parameters of {@code type}: float32 as loaded, float64 for {@link #cast}. */
    private Llama(ModelConfig c, Weights weights, NDManager manager, DataType type) {
        super(c);
        ParameterLoader p = new ParameterLoader(weights, manager, type);
        int d = c.dModel();
        long dq = (long) c.nHeads() * c.dHead();
        long dkv = (long) c.nKvHeads() * c.dHead();
        Init normal = Init.normal(c.initializerRange());
        embedTokens = p.load("embed_tokens.weight", normal, c.vocabSize(), d);
        blocks = new Block[c.nLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String b = "layers." + l + ".";
            blocks[l] = new Block(
                    p.load(b + "input_layernorm.weight", Init.ONES, d),
                    p.load(b + "self_attn.q_proj.weight", normal, dq, d).transpose(),
                    p.load(b + "self_attn.k_proj.weight", normal, dkv, d).transpose(),
                    p.load(b + "self_attn.v_proj.weight", normal, dkv, d).transpose(),
                    p.load(b + "self_attn.o_proj.weight", normal, d, dq).transpose(),
                    p.load(b + "post_attention_layernorm.weight", Init.ONES, d),
                    p.load(b + "mlp.gate_proj.weight", normal, c.dMlp(), d).transpose(),
                    p.load(b + "mlp.up_proj.weight", normal, c.dMlp(), d).transpose(),
                    p.load(b + "mlp.down_proj.weight", normal, d, c.dMlp()).transpose());
        }
        norm = p.load("norm.weight", Init.ONES, d);
        unembedding = c.tiedEmbeddings() ? embedTokens.transpose()
                : p.load("lm_head.weight", normal, c.vocabSize(), d).transpose();
        parameterBytes = p.bytes();
        parameters(p.loaded());
    }

    @Override
    protected Transformer rebuild(Weights weights, NDManager manager, DataType type) {
        return new Llama(config, weights, manager, type);
    }

    @Override
    public NDArray tokenEmbedding() {
        return embedTokens;
    }

    /** The residual stream starts as e: positions enter through RoPE on q and k instead. */
    @Override
    protected NDArray inputResidual(NDArray embeds, int offset, ActivationCache cache) {
        return embeds;
    }

    @Override
    protected NDArray norm1(int l, NDArray h) {
        return rmsNorm(h, blocks[l].attnNorm);
    }

    @Override
    protected NDArray norm2(int l, NDArray hMid) {
        return rmsNorm(hMid, blocks[l].mlpNorm);
    }

    /** q = RoPE(x W_Q), k = RoPE(x W_K), v = x W_V, with n_kv_heads heads for k and v. */
    @Override
    protected QueryKeyValue queryKeyValue(int l, NDArray x, int offset) {
        Block b = blocks[l];
        NDArray[] cosSin = rotary(x.getManager(), offset, x.getShape().get(1));
        return new QueryKeyValue(rope(splitHeads(x.matMul(b.wq), config.nHeads()), cosSin),
                rope(splitHeads(x.matMul(b.wk), config.nKvHeads()), cosSin),
                splitHeads(x.matMul(b.wv), config.nKvHeads()));
    }

    @Override
    protected NDArray attnOutProjection(int l, NDArray z) {
        return z.matMul(blocks[l].wo);
    }

    /** SwiGLU: W_down (silu(x W_gate) * x W_up) */
    @Override
    protected NDArray mlp(int l, NDArray x) {
        Block b = blocks[l];
        NDArray gate = x.matMul(b.wGate);
        return gate.mul(Activation.sigmoid(gate)).mul(x.matMul(b.wUp)).matMul(b.wDown);
    }

    /** x * rsqrt(mean(x^2) + eps) * w */
    private NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add((float) config.normEps()).sqrt()).mul(w);
    }

    /**
     * cos and sin [T, d_head] of angle(p, i) = p * theta^(-2i / d_head) for positions p = offset.., the
     * half-size frequency vector written twice, as Hugging Face's rotate-half layout expects.
     */
    private NDArray[] rotary(NDManager manager, int offset, long t) {
        int dHead = config.dHead();
        int half = dHead / 2;
        float[] cos = new float[(int) t * dHead];
        float[] sin = new float[(int) t * dHead];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (offset + p) * Math.pow(config.ropeTheta(), -2.0 * i / dHead);
                cos[p * dHead + i] = cos[p * dHead + i + half] = (float) Math.cos(angle);
                sin[p * dHead + i] = sin[p * dHead + i + half] = (float) Math.sin(angle);
            }
        }
        Shape shape = new Shape(t, dHead);
        return new NDArray[] {manager.create(cos, shape), manager.create(sin, shape)};
    }

    /** x cos + rotate_half(x) sin, rotate_half(x) = [-x2, x1] for x = [x1, x2] split in halves. */
    private static NDArray rope(NDArray x, NDArray[] cosSin) {
        long half = x.getShape().get(3) / 2;
        NDArray rotated = x.get("..., {}:", half).neg().concat(x.get("..., 0:{}", half), -1);
        return x.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
    }

    @Override
    public NDArray finalNorm(NDArray resid) {
        return rmsNorm(resid, norm);
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
