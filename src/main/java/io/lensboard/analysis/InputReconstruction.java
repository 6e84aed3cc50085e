package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;

/**
 * Input reconstruction (write-up "sentence representation"): gradient descent on an input embedding
 * e_n so that a truncated model's output O_l(e_n) matches the target's O_l(e), then decoding e_n back to
 * tokens through the Moore-Penrose pseudo-inverse of the token embedding.
 *
 * <p>Stepwise: {@link #step()} does one update, so a caller can interleave other device work, report
 * progress and cancel between steps. Every method must run on the model's device thread; arrays of a
 * step live in that step's own manager, so memory stays flat over any number of steps.
 */
public final class InputReconstruction implements AutoCloseable {

    public enum Loss { L1, L2 }

    public enum Optimizer { GD, ADAM }

    public record Params(String prompt, int blocks, boolean finalNorm, boolean lmHead, Loss loss, Optimizer optimizer,
                         double lr, int steps, long seed, int topk, int decodeEvery,
                         double mu, double sigma, double s, double t) {}

    /** One step's report; {@code ids} is the current top-1 decoding, present every decodeEvery steps. */
    public record Step(int step, double loss, long[] ids) {}

    public record Result(long[] ids, String text, double exactFraction, double m, double mG, boolean success,
                         long[][] topk, long[] target, double finalLoss) {}

    private final LoadedModel model;
    private final Params p;
    private final Forward spec;
    private final NDManager run;
    private final long[] target;
    private final NDArray targetOut;   // O_l(e)
    private final EmbeddingDecoder decoder;
    private final NDArray e;           // e_n, [1, T, d], the optimised token embedding
    private final Adam adam;
    private final double m;            // the yardstick, eq. 4
    private int n;

    public InputReconstruction(LoadedModel model, Params p) {
        this.model = model;
        this.p = p;
        this.spec = new Forward(p.blocks(), p.finalNorm(), p.lmHead());
        this.target = LogitLens.tokenize(model, new LogitLens.Request(p.prompt(), 1, false));
        this.run = model.newScope();
        Transformer tf = model.transformer();
        NDArray eTarget = tf.embed(run.create(target).reshape(1, target.length));
        targetOut = tf.forward(eTarget, spec, ActivationCache.none());
        decoder = new EmbeddingDecoder(tf.tokenEmbedding(run), run);

        Engine.getInstance().setRandomSeed((int) p.seed());
        Shape shape = eTarget.getShape();
        // e_0 = s * N(mu, sigma) + t * e  (sentence representation, defaults mu = 1/2, sigma = 1/20, s = 1, t = 0)
        NDArray start = run.randomNormal((float) p.mu(), (float) p.sigma(), shape, DataType.FLOAT32)
                .mul((float) p.s()).add(eTarget.mul((float) p.t()));
        e = start;
        adam = new Adam(run, shape);
        // m = ||O_l(e') - O_l(e)||_1, e' = e + N(0, 1/20): how far a slightly shifted input lands (eq. 4)
        NDArray shifted = eTarget.add(run.randomNormal(0f, 1f / 20, shape, DataType.FLOAT32));
        m = distance(tf.forward(shifted, spec, ActivationCache.none()), Loss.L1);
    }

    private double distance(NDArray out, Loss loss) {
        NDArray diff = out.sub(targetOut);
        return (loss == Loss.L1 ? diff.abs().sum() : diff.square().sum().sqrt()).getFloat();
    }

    /** Arrays the run holds between steps; constant over steps unless a step leaks (tested). */
    int heldArrays() {
        return run.getManagedArrays().size();
    }

    public double yardstick() {
        return m;
    }

    public long[] target() {
        return target.clone();
    }

    /** One update of e_n; returns the objective before it, and the decoding every decodeEvery steps. */
    public Step step() {
        Transformer tf = model.transformer();
        double lossValue;
        try (NDManager stepScope = run.newSubManager()) {
            NDArray x = e.duplicate();
            x.attach(stepScope);
            x.setRequiresGradient(true);
            NDArray grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray diff = tf.forward(x, spec, ActivationCache.none()).sub(targetOut);
                // ||O_l(e_n) - O_l(e)||_1, or the L2 norm
                NDArray objective = p.loss() == Loss.L1 ? diff.abs().sum() : diff.square().sum().sqrt();
                gc.backward(objective);
                lossValue = objective.getFloat();
                grad = x.getGradient();
            }
            n++;
            if (p.optimizer() == Optimizer.ADAM) {
                e.subi(adam.direction(grad, stepScope).mul((float) p.lr()));
            } else {
                // e_{n+1} = e_n - eta_n grad, eta falling linearly from eta to eta/10 over N steps
                double eta = p.lr() * (1 - 0.9 * (n - 1) / Math.max(1, p.steps() - 1));
                e.subi(grad.mul((float) eta));
            }
        }
        long[] ids = n % p.decodeEvery() == 0 || n == p.steps() ? decode(1)[0] : null;
        return new Step(n, lossValue, ids);
    }

    /** a_g = argmax W^+ e_n per position: the top-k decodings, [k][T]. */
    public long[][] decode(int k) {
        try (NDManager scope = run.newSubManager()) {
            return decoder.topk(Scopes.copy(e, scope).squeeze(0), k);
        }
    }

    /** Decodes, re-embeds the decoding e_g and measures m_g = ||O_l(e_g) - O_l(e)||_1 against the yardstick m. */
    public Result result(double finalLoss) {
        long[][] topk = decode(p.topk());
        long[] ids = topk[0];
        double mG;
        try (NDManager scope = run.newSubManager()) {
            Transformer tf = model.transformer();
            NDArray eG = tf.embed(scope.create(ids).reshape(1, ids.length));
            mG = distance(tf.forward(eG, spec, ActivationCache.none()), Loss.L1);
        }
        int exact = 0;
        for (int i = 0; i < ids.length; i++) {
            exact += ids[i] == target[i] ? 1 : 0;
        }
        long[][] perPosition = new long[ids.length][p.topk()];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < p.topk(); j++) {
                perPosition[i][j] = topk[j][i];
            }
        }
        return new Result(ids, model.tokenizer().decode(ids), (double) exact / ids.length, m, mG, mG < m,
                perPosition, target.clone(), finalLoss);
    }

    @Override
    public void close() {
        run.close();
    }
}
