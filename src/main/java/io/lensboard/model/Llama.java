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

    private record Block(NDArray attnNorm, Param wq, Param wk, Param wv, Param wo,
                         NDArray mlpNorm, Param wGate, Param wUp, Param wDown) {}

    private final Param embedTokens; // W_E [vocab, d]
    private final NDArray norm;
    private final Param unembedding; // W_U [d, vocab]
    private final Block[] blocks;

    /** The model with matrices held in {@code dtype}, arithmetic in float32. */
    public Llama(ModelConfig c, Weights weights, NDManager manager, Dtype dtype) {
        this(c, new ParameterLoader(weights, manager, dtype));
    }

    /** The model as {@code p} loads it: in its dtype, or every parameter in float64 for {@link #cast}. */
    private Llama(ModelConfig c, ParameterLoader p) {
        super(c);
        int d = c.dModel();
        long dq = (long) c.nHeads() * c.dHead();
        long dkv = (long) c.nKvHeads() * c.dHead();
        Init normal = Init.normal(c.initializerRange());
        embedTokens = p.matrix("embed_tokens.weight", normal, c.vocabSize(), d);
        blocks = new Block[c.nLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String b = "layers." + l + ".";
            blocks[l] = new Block(
                    p.load(b + "input_layernorm.weight", Init.ONES, d),
                    p.matrix(b + "self_attn.q_proj.weight", normal, dq, d).transposed(),
                    p.matrix(b + "self_attn.k_proj.weight", normal, dkv, d).transposed(),
                    p.matrix(b + "self_attn.v_proj.weight", normal, dkv, d).transposed(),
                    p.matrix(b + "self_attn.o_proj.weight", normal, d, dq).transposed(),
                    p.load(b + "post_attention_layernorm.weight", Init.ONES, d),
                    p.matrix(b + "mlp.gate_proj.weight", normal, c.dMlp(), d).transposed(),
                    p.matrix(b + "mlp.up_proj.weight", normal, c.dMlp(), d).transposed(),
                    p.matrix(b + "mlp.down_proj.weight", normal, d, c.dMlp()).transposed());
        }
        norm = p.load("norm.weight", Init.ONES, d);
        unembedding = unembedding(p, embedTokens, normal);
        parameters(p);
    }

    @Override
    protected Transformer rebuild(Weights weights, NDManager manager, DataType type) {
        return new Llama(config, new ParameterLoader(weights, manager, type));
    }

    @Override
    protected Param wE() {
        return embedTokens;
    }

    @Override
    protected Param wU() {
        return unembedding;
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
    protected QueryKeyValue queryKeyValue(int l, NDArray x, int offset, NDManager w) {
        Block b = blocks[l];
        NDArray[] cosSin = rotary(x.getManager(), x.getDataType(), offset, x.getShape().get(1));
        return new QueryKeyValue(rope(splitHeads(x.matMul(b.wq.f32(w)), config.nHeads()), cosSin),
                rope(splitHeads(x.matMul(b.wk.f32(w)), config.nKvHeads()), cosSin),
                splitHeads(x.matMul(b.wv.f32(w)), config.nKvHeads()));
    }

    @Override
    protected NDArray outputWeight(int l, NDManager w) {
        return blocks[l].wo.f32(w);
    }

    /** Llama's projections have no biases. */
    @Override
    public NDArray outputBias(int l) {
        return null;
    }

    /** SwiGLU: W_down (silu(x W_gate) * x W_up) */
    @Override
    protected NDArray mlp(int l, NDArray x, NDManager w) {
        Block b = blocks[l];
        NDArray gate = x.matMul(b.wGate.f32(w));
        return gate.mul(Activation.sigmoid(gate)).mul(x.matMul(b.wUp.f32(w))).matMul(b.wDown.f32(w));
    }

    /** x * rsqrt(mean(x^2) + eps) * w */
    private NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add(constant(x, config.normEps())).sqrt()).mul(w);
    }

    /**
     * cos and sin [T, d_head] of angle(p, i) = p * theta^(-2i / d_head) for positions p = offset.., the
     * half-size frequency vector written twice, as Hugging Face's rotate-half layout expects. Computed in double and
     * held in {@code type}: rounded to float32 for a float32 pass, kept whole for a float64 one.
     */
    private NDArray[] rotary(NDManager manager, DataType type, int offset, long t) {
        int dHead = config.dHead();
        int half = dHead / 2;
        double[] cos = new double[(int) t * dHead];
        double[] sin = new double[(int) t * dHead];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (offset + p) * Math.pow(config.ropeTheta(), -2.0 * i / dHead);
                cos[p * dHead + i] = cos[p * dHead + i + half] = Math.cos(angle);
                sin[p * dHead + i] = sin[p * dHead + i + half] = Math.sin(angle);
            }
        }
        Shape shape = new Shape(t, dHead);
        return new NDArray[] {manager.create(cos, shape).toType(type, false), manager.create(sin, shape).toType(type, false)};
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
    protected NormParts finalNormParts() {
        return new NormParts(norm, null, false);
    }
}
