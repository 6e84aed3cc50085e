package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Training a tuned lens (Belrose et al. 2023, "Eliciting latent predictions from transformers with the tuned lens"):
 * one affine translator per layer l = 0 (the embeddings) … L−1, layer l decoded as
 * lm_head(final_norm(h_l + W_l h_l + b_l)), W_l and b_l starting at zero (so the lens starts as the logit lens), trained
 * on the sum over layers of KL(final ‖ lens_l), averaged over tokens. Each layer's KL depends on its own translator
 * only, so each layer is a separate backward pass in its own sub-manager: a step holds one layer's [tokens, vocab]
 * arrays at a time. Every method runs on the model's device thread.
 */
public final class TunedLens implements AutoCloseable {

    public enum Optimizer { SGD, ADAM }

    /** Training settings; {@code batch} is the number of chunks per step. */
    public record Params(int steps, double lr, Optimizer optimizer, int batch, long seed) {}

    /** A step's mean KL(final ‖ lens_l) per layer l = 0 … L−1, before the update. */
    public record Step(int step, double[] kl) {}

    /** SGD's momentum, Nesterov's form as in torch.optim.SGD (the paper's optimiser). */
    private static final float MOMENTUM = 0.9f;

    private final LoadedModel model;
    private final Params p;
    private final CorpusChunks corpus;
    private final NDManager run;
    private final NDArray[] w;     // W_l [d, d], PyTorch's Linear layout [out, in]: h W_l^T
    private final NDArray[] b;     // b_l [d]
    private final NDArray[] velocity;
    private final Adam[] adam;
    private final List<Integer> order = new ArrayList<>();
    private final Random shuffle;
    private int cursor;
    private int n;

    public TunedLens(LoadedModel model, CorpusChunks corpus, Params p) {
        this.model = model;
        this.p = p;
        this.corpus = corpus;
        this.run = model.newScope();
        int layers = model.config().nLayers();
        int d = model.config().dModel();
        w = new NDArray[layers];
        b = new NDArray[layers];
        velocity = new NDArray[2 * layers];
        adam = new Adam[2 * layers];
        for (int l = 0; l < layers; l++) {
            w[l] = run.zeros(new Shape(d, d));
            b[l] = run.zeros(new Shape(d));
            velocity[2 * l] = run.zeros(w[l].getShape());
            velocity[2 * l + 1] = run.zeros(b[l].getShape());
            adam[2 * l] = new Adam(run, w[l].getShape());
            adam[2 * l + 1] = new Adam(run, b[l].getShape());
        }
        shuffle = new Random(p.seed());
    }

    /** Arrays the run holds between steps; constant over steps unless a step leaks (tested). */
    int heldArrays() {
        return run.getManagedArrays().size();
    }

    /** The translators' count L: layers 0 … L−1 (the last layer, L, is the model's own output). */
    public int layers() {
        return w.length;
    }

    /** h_l for l = 0 … L: the embeddings (hook_resid_pre of block 0), then each block's hook_resid_post. */
    private static String hook(int l) {
        return l == 0 ? Hooks.residPre(0) : Hooks.residPost(l - 1);
    }

    /** The next {@code batch} training chunks, reshuffled (seeded) at each pass over them. */
    private long[] nextBatch() {
        int count = Math.min(p.batch(), corpus.train().length);
        long[] ids = new long[count * corpus.train()[0].length];
        for (int i = 0; i < count; i++) {
            if (cursor == order.size()) {
                order.clear();
                for (int c = 0; c < corpus.train().length; c++) {
                    order.add(c);
                }
                Collections.shuffle(order, shuffle);
                cursor = 0;
            }
            long[] chunk = corpus.train()[order.get(cursor++)];
            System.arraycopy(chunk, 0, ids, i * chunk.length, chunk.length);
        }
        return ids;
    }

    /** One optimisation step on the next batch: every translator updated once. */
    public Step step() {
        Transformer tf = model.transformer();
        int t = corpus.train()[0].length;
        double[] kl = new double[w.length];
        n++;
        // eta_n falls linearly from eta to 0 over the N steps, as the reference implementation's schedule
        float eta = (float) (p.lr() * (1 - (n - 1.0) / p.steps()));
        try (NDManager step = run.newSubManager()) {
            long[] ids = nextBatch();
            ActivationCache cache = ActivationCache.of(Hooks::isResidual);
            NDArray logits = tf.forward(tf.embed(step.create(ids).reshape(ids.length / t, t)), Forward.full(model.config()), cache);
            NDArray logP = logits.logSoftmax(-1);
            NDArray pFinal = logP.exp();
            // KL(final || lens_l) = sum_v P log P - sum_v P log Q_l; the first term does not depend on W_l
            double negEntropy = pFinal.mul(logP).sum(new int[] {-1}).mean().getFloat();
            for (int l = 0; l < w.length; l++) {
                try (NDManager layer = step.newSubManager()) {
                    NDArray h = Scopes.copy(cache.get(hook(l)), layer);
                    NDArray wl = Scopes.copy(w[l], layer);
                    NDArray bl = Scopes.copy(b[l], layer);
                    wl.setRequiresGradient(true);
                    bl.setRequiresGradient(true);
                    NDArray gw;
                    NDArray gb;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logQ = tf.unembed(tf.finalNorm(translate(h, wl, bl))).logSoftmax(-1);
                        NDArray crossEntropy = logQ.mul(Scopes.copy(pFinal, layer)).sum(new int[] {-1}).mean().neg();
                        gc.backward(crossEntropy);
                        kl[l] = negEntropy + crossEntropy.getFloat();
                        gw = wl.getGradient();
                        gb = bl.getGradient();
                    }
                    update(2 * l, w[l], gw, eta, layer);
                    update(2 * l + 1, b[l], gb, eta, layer);
                }
            }
        }
        return new Step(n, kl);
    }

    /** h + h W^T + b: the translator is a residual correction, so W = 0, b = 0 is the logit lens. */
    private static NDArray translate(NDArray h, NDArray w, NDArray b) {
        return h.add(h.matMul(w.transpose()).add(b));
    }

    private void update(int i, NDArray param, NDArray grad, float eta, NDManager scope) {
        if (p.optimizer() == Optimizer.ADAM) {
            param.subi(adam[i].direction(grad, scope).mul(eta));
        } else {
            // Nesterov momentum (torch.optim.SGD): v = mu v + g; theta -= eta (g + mu v)
            velocity[i].muli(MOMENTUM).addi(grad);
            param.subi(grad.add(Scopes.copy(velocity[i], scope).mul(MOMENTUM)).mul(eta));
        }
    }

    public boolean finished() {
        return n >= p.steps();
    }

    /** Held-out mean KL(final ‖ layer) for l = 0 … L (the last, the model's output, is 0) of both decoders. */
    public record Evaluation(double[] klLogit, double[] klTuned) {}

    /** KL to the final layer on the held-out chunks, in float64, through the logit lens and through the translators. */
    public Evaluation evaluate() {
        Transformer tf = model.transformer();
        long[][] held = corpus.heldOut();
        int t = held[0].length;
        double[] klLogit = new double[w.length + 1];
        double[] klTuned = new double[w.length + 1];
        for (int from = 0; from < held.length; from += p.batch()) {
            int count = Math.min(p.batch(), held.length - from);
            try (NDManager batch = run.newSubManager()) {
                ActivationCache cache = ActivationCache.of(Hooks::isResidual);
                long[] ids = CorpusChunks.flat(held, from, count);
                NDArray logits = tf.forward(tf.embed(batch.create(ids).reshape(count, t)), Forward.full(model.config()), cache);
                NDArray logP = logits.toType(DataType.FLOAT64, false).logSoftmax(-1);
                NDArray pFinal = logP.exp();
                double negEntropy = pFinal.mul(logP).sum(new int[] {-1}).sum().getDouble();
                for (int l = 0; l < w.length; l++) {
                    try (NDManager layer = batch.newSubManager()) {
                        NDArray h = Scopes.copy(cache.get(hook(l)), layer);
                        klLogit[l] += negEntropy - crossSum(tf, h, pFinal, layer);
                        klTuned[l] += negEntropy - crossSum(tf, translate(h, Scopes.copy(w[l], layer), Scopes.copy(b[l], layer)), pFinal, layer);
                    }
                }
            }
        }
        long tokens = (long) held.length * t;
        for (int l = 0; l < w.length; l++) {
            klLogit[l] = Math.max(0, klLogit[l] / tokens);
            klTuned[l] = Math.max(0, klTuned[l] / tokens);
        }
        return new Evaluation(klLogit, klTuned);
    }

    /** sum over tokens and v of P_final log Q, Q the decoding of {@code h}. */
    private static double crossSum(Transformer tf, NDArray h, NDArray pFinal, NDManager layer) {
        NDArray logQ = tf.unembed(tf.finalNorm(h)).toType(DataType.FLOAT64, false).logSoftmax(-1);
        return logQ.mul(Scopes.copy(pFinal, layer)).sum().getDouble();
    }

    /** The translators' weights W_l [d × d] and biases b_l [d], row-major float32, for saving. */
    public record Translators(float[][] weights, float[][] biases) {}

    public Translators translators() {
        float[][] ws = new float[w.length][];
        float[][] bs = new float[w.length][];
        for (int l = 0; l < w.length; l++) {
            ws[l] = w[l].toFloatArray();
            bs[l] = b[l].toFloatArray();
        }
        return new Translators(ws, bs);
    }

    @Override
    public void close() {
        run.close();
    }
}
