package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Scalars;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Input reconstruction (write-up "sentence representation"): gradient descent on an input embedding
 * e_n so that a network's output O_l(e_n) (a truncated model, or a toy on its token embedding) matches the
 * target's O_l(e), then decoding e_n back to tokens through the Moore-Penrose pseudo-inverse of the token embedding.
 *
 * <p>Stepwise: {@link #step()} does one update, so a caller can interleave other device work, report
 * progress and cancel between steps. Every method must run on the model's device thread; arrays of a
 * step live in that step's own manager, so memory stays flat over any number of steps.
 */
public final class InputReconstruction implements AutoCloseable {

    public enum Loss { L1, L2 }

    public enum Optimizer { GD, ADAM }

    /** {@code yardstickSigma}: the σ of e′ = e + N(0, σ) in the yardstick m (eq. 4; the write-up uses 1/20 and 1/25). */
    public record Params(String prompt, NetworkSpec network, Loss loss, Optimizer optimizer, double lr, int steps, long seed,
                         int topk, int decodeEvery, double mu, double sigma, double s, double t, double yardstickSigma) {

        /** Through the model's first {@code blocks} blocks in float32, yardstick σ = 1/20. */
        public Params(String prompt, int blocks, boolean finalNorm, boolean lmHead, Loss loss, Optimizer optimizer,
                      double lr, int steps, long seed, int topk, int decodeEvery, double mu, double sigma, double s, double t) {
            this(prompt, NetworkSpec.transformer(blocks, finalNorm, lmHead), loss, optimizer, lr, steps, seed, topk, decodeEvery,
                    mu, sigma, s, t, 1.0 / 20);
        }
    }

    /**
     * One step's report; {@code ids} is the current top-1 decoding and {@code mG} its m_g, both present every
     * decodeEvery steps (null otherwise).
     */
    public record Step(int step, double loss, long[] ids, Double mG) {}

    /**
     * {@code stepsToCriterion}: the first checked step n with m_g(n) < m (eq. 4), null if never; repetition of the
     * top-1 decoding and of each top-k row.
     */
    public record Result(long[] ids, String text, double exactFraction, double m, double mG, boolean success,
                         long[][] topk, long[] target, double finalLoss, Integer stepsToCriterion, double repetition,
                         double[] repetitionTopk) {}

    private final Params p;
    private final NDManager run;
    private final SentenceTarget target;
    private final NDArray e0;          // e_0, kept for the export
    private NDArray e;                 // e_n, [1, T, d], the optimised token embedding
    private final Adam adam;
    private final double m;            // the yardstick, eq. 4
    private Integer stepsToCriterion;
    private int n;

    public InputReconstruction(LoadedModel model, Params p) {
        this.p = p;
        this.run = model.newScope();
        this.target = new SentenceTarget(model, p.prompt(), p.network(), run);
        DataType type = target.type();
        NDArray eTarget = target.e();

        Engine.getInstance().setRandomSeed((int) p.seed());
        Shape shape = eTarget.getShape();
        // e_0 = s * N(mu, sigma) + t * e  (sentence representation, defaults mu = 1/2, sigma = 1/20, s = 1, t = 0);
        // drawn in float32 so that both precisions start from the same e_0
        NDArray noise = run.randomNormal((float) p.mu(), (float) p.sigma(), shape, DataType.FLOAT32).toType(type, false);
        e0 = noise.mul(Scalars.in(noise, p.s())).add(eTarget.mul(Scalars.in(eTarget, p.t())));
        e = e0.duplicate();
        adam = new Adam(run, shape, type);
        // m = ||O_l(e') - O_l(e)||_1, e' = e + N(0, yardstick_sigma): how far a slightly shifted input lands (eq. 4)
        NDArray shift = run.randomNormal(0f, (float) p.yardstickSigma(), shape, DataType.FLOAT32).toType(type, false);
        m = target.outputDistance(eTarget.add(shift));
    }

    /** Arrays the run holds between steps; constant over steps unless a step leaks (tested). */
    int heldArrays() {
        return run.getManagedArrays().size();
    }

    public double yardstick() {
        return m;
    }

    public long[] target() {
        return target.ids();
    }

    /** One update of e_n; returns the objective before it, and the decoding and its m_g every decodeEvery steps. */
    public Step step() {
        double lossValue;
        try (NDManager stepScope = run.newSubManager()) {
            NDArray x = e.duplicate();
            x.attach(stepScope);
            x.setRequiresGradient(true);
            NDArray grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray diff = target.outputDiff(x);
                // ||O_l(e_n) - O_l(e)||_1, or the L2 norm
                NDArray objective = p.loss() == Loss.L1 ? diff.abs().sum() : diff.square().sum().sqrt();
                gc.backward(objective);
                lossValue = SentenceTarget.scalar(objective);
                grad = x.getGradient();
            }
            n++;
            if (p.optimizer() == Optimizer.ADAM) {
                e.subi(adam.direction(grad, stepScope).mul(Scalars.in(e, p.lr())));
            } else {
                // e_{n+1} = e_n - eta_n grad, eta falling linearly from eta to eta/10 over N steps
                double eta = p.lr() * (1 - 0.9 * (n - 1) / Math.max(1, p.steps() - 1));
                e.subi(grad.mul(Scalars.in(grad, eta)));
            }
        }
        if (n % p.decodeEvery() != 0 && n != p.steps()) {
            return new Step(n, lossValue, null, null);
        }
        long[] ids = decode(1)[0];
        double mG = decodedDistance(ids);
        if (stepsToCriterion == null && mG < m) {
            stepsToCriterion = n; // the criterion m_g < m (eq. 4), first met at this checked step
        }
        return new Step(n, lossValue, ids, mG);
    }

    /**
     * Between steps: what the next steps and the result depend on (n, e_n, Adam's moments, the criterion's step);
     * the target, e_0 and the yardstick m are drawn again, the same, by the constructor.
     */
    public void save(DataOutput out) throws IOException {
        out.writeInt(n);
        out.writeInt(stepsToCriterion == null ? -1 : stepsToCriterion);
        Snapshots.write(out, e);
        adam.save(out);
    }

    /** Continues from a {@link #save} of a run of the same model and parameters, as if its steps had run here. */
    public void restore(DataInput in) throws IOException {
        n = in.readInt();
        int criterion = in.readInt();
        stepsToCriterion = criterion < 0 ? null : criterion;
        NDArray e1 = Snapshots.like(Snapshots.read(in, run), e, "e_n");
        e.close();
        e = e1;
        adam.restore(in, run);
    }

    /** a_g = argmax W^+ e_n per position: the top-k decodings, [k][T]. */
    public long[][] decode(int k) {
        try (NDManager scope = run.newSubManager()) {
            return target.decode(Scopes.copy(e, scope), k);
        }
    }

    /** m_g = ||O_l(e_g) - O_l(e)||_1 for the embedding e_g of {@code ids}. */
    private double decodedDistance(long[] ids) {
        try (NDManager scope = run.newSubManager()) {
            return target.decodedDistance(ids, scope);
        }
    }

    /** Decodes, re-embeds the decoding e_g and measures m_g = ||O_l(e_g) - O_l(e)||_1 against the yardstick m. */
    public Result result(double finalLoss) {
        long[][] topk = decode(p.topk());
        long[] ids = topk[0];
        long[] targetIds = target.ids();
        double mG = decodedDistance(ids);
        int exact = 0;
        for (int i = 0; i < ids.length; i++) {
            exact += ids[i] == targetIds[i] ? 1 : 0;
        }
        long[][] perPosition = new long[ids.length][p.topk()];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < p.topk(); j++) {
                perPosition[i][j] = topk[j][i];
            }
        }
        return new Result(ids, target.decodeText(ids), (double) exact / ids.length, m, mG, mG < m,
                perPosition, targetIds, finalLoss, stepsToCriterion, Repetition.of(ids), Repetition.rows(topk));
    }

    /** The target e, the start e_0 and the current e_n, for the export. */
    public Embeddings embeddings() {
        Shape s = e.getShape();
        return new Embeddings((int) s.get(1), (int) s.get(2), target.type() == DataType.FLOAT64,
                Embeddings.values(target.e()), Embeddings.values(e0), Embeddings.values(e));
    }

    @Override
    public void close() {
        run.close();
    }
}
