package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LoadedModel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Feature visualisation by gradient ascent (write-up "language model features"). Two inputs:
 * <ul>
 * <li>{@link Input#EMBEDDING}: the input embedding itself, e_{n+1} = e_n + η∇J(e_n), decoded to tokens
 * through the pseudo-inverse of the token embedding;</li>
 * <li>{@link Input#SOFTMAX_PRIOR}: logits a [N, V] whose softmax, taken each step, weights the rows of the
 * token embedding, e = softmax(a) W_E, so the input stays in the hull of real tokens; decoded by argmax a.</li>
 * </ul>
 * The objective J is the feature's value f, the mean activation over the slice, or −|C − f| towards a large
 * constant C (the write-up's −‖C − O^l_f(e)‖₁ divided by the slice's size while every activation is below C).
 * Stepwise like {@link InputReconstruction}: every method runs on the device thread, and each step's arrays
 * live in that step's manager so memory stays flat.
 */
public final class FeatureAscent implements AutoCloseable {

    public enum Input { EMBEDDING, SOFTMAX_PRIOR }

    public enum Objective { MEAN, L1 }

    public record Params(Input input, Feature feature, int tokens, Objective objective, double c, Optimizer optimizer,
                         double lr, int steps, long seed, double initScale, int topk, int decodeEvery) {}

    /** One step: the objective J and the feature's value before the update; the top-1 decoding every decodeEvery steps. */
    public record Step(int step, double objective, double value, long[] ids) {}

    /**
     * {@code value} is the feature for the optimised input, {@code decodedValue} for the decoded tokens fed as
     * tokens: the gap between the two is how much the decoding loses.
     */
    public record Result(long[] ids, String text, long[][] topk, double objective, double value, double decodedValue) {}

    private final LoadedModel model;
    private final Params p;
    private final NDManager run;
    private NDArray x;                 // the optimised array: e [1, N, d], or a [1, N, V]
    private final NDArray wE;          // W_E [V, d]
    private final EmbeddingDecoder decoder;
    private final Adam adam;
    private int n;

    public FeatureAscent(LoadedModel model, Params p) {
        p.feature().checkFor(model);
        p.feature().slice().checkPositions(p.tokens());
        this.model = model;
        this.p = p;
        this.run = model.newScope();
        this.wE = model.transformer().tokenEmbedding(run);
        Engine.getInstance().setRandomSeed((int) p.seed());
        int d = model.config().dModel();
        if (p.input() == Input.EMBEDDING) {
            // e_0 ~ N(0, (s·σ_W)²): random, at the scale of real token embeddings
            float sigma = (float) (p.initScale() * std(wE));
            x = run.randomNormal(0, sigma, new Shape(1, p.tokens(), d), DataType.FLOAT32);
            decoder = new EmbeddingDecoder(wE, run);
        } else {
            x = run.randomNormal(0, (float) p.initScale(), new Shape(1, p.tokens(), model.config().vocabSize()), DataType.FLOAT32);
            decoder = null;
        }
        adam = new Adam(run, x.getShape());
    }

    /**
     * The standard deviation of W_E's entries as sqrt(E[w²] − E[w]²), from a dot product and a sum: no
     * temporary the size of W_E. Results of operations on W_E belong to the model's manager, so each is
     * moved into a scope of this run at once.
     */
    private double std(NDArray w) {
        try (NDManager tmp = run.newSubManager()) {
            NDArray flat = w.flatten();
            flat.attach(tmp);
            NDArray squares = flat.dot(flat);
            squares.attach(tmp);
            NDArray sum = flat.sum();
            sum.attach(tmp);
            double n = flat.size();
            double mean = sum.getFloat() / n;
            return Math.sqrt(Math.max(0, squares.getFloat() / n - mean * mean));
        }
    }

    /** The input embedding for the optimised array, in x's manager. */
    private NDArray embeds(NDArray xs) {
        return p.input() == Input.EMBEDDING ? xs : xs.softmax(-1).matMul(wE);
    }

    private NDArray objective(NDArray value) {
        return p.objective() == Objective.MEAN ? value : value.sub((float) p.c()).abs().neg();
    }

    /** One ascent step; returns J and the feature before it. */
    public Step step() {
        double j;
        double value;
        try (NDManager stepScope = run.newSubManager()) {
            NDArray xs = Scopes.copy(x, stepScope);
            xs.setRequiresGradient(true);
            NDArray grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray f = p.feature().values(model, embeds(xs), Feature.Read.SLICE);
                NDArray objective = objective(f).sum();
                gc.backward(objective);
                j = objective.getFloat();
                value = f.getFloat(0);
                grad = xs.getGradient();
            }
            n++;
            NDArray direction = p.optimizer() == Optimizer.ADAM ? adam.direction(grad, stepScope) : grad;
            x.addi(direction.mul((float) p.lr())); // ascent: x_{n+1} = x_n + η · direction
        }
        long[] ids = n % p.decodeEvery() == 0 || n == p.steps() ? decode(1)[0] : null;
        return new Step(n, j, value, ids);
    }

    /**
     * Between steps: what the next steps depend on (the step count n, x, Adam's moments); the start and W_E are
     * made again, the same, by the constructor.
     */
    public void save(DataOutput out) throws IOException {
        out.writeInt(n);
        Snapshots.write(out, x);
        adam.save(out);
    }

    /** Continues from a {@link #save} of a run of the same model and parameters, as if its steps had run here. */
    public void restore(DataInput in) throws IOException {
        n = in.readInt();
        NDArray x1 = Snapshots.like(Snapshots.read(in, run), x, "input");
        x.close();
        x = x1;
        adam.restore(in, run);
    }

    /** The top-k decodings of the current input, [k][N]. */
    public long[][] decode(int k) {
        try (NDManager scope = run.newSubManager()) {
            NDArray xs = Scopes.copy(x, scope).squeeze(0);
            return p.input() == Input.EMBEDDING ? decoder.topk(xs, k) : TopK.perPosition(xs, k);
        }
    }

    /** Decodes and measures the feature for the optimised input and for the decoded tokens. */
    public Result result() {
        long[][] topk = decode(p.topk());
        long[] ids = topk[0];
        try (NDManager scope = run.newSubManager()) {
            NDArray xs = Scopes.copy(x, scope);
            NDArray f = p.feature().values(model, embeds(xs), Feature.Read.SLICE);
            double j = objective(f).sum().getFloat();
            NDArray tokens = model.transformer().embed(scope.create(ids).reshape(1, ids.length));
            double decoded = p.feature().values(model, tokens, Feature.Read.SLICE).getFloat(0);
            return new Result(ids, model.tokenizer().decode(ids), topk, j, f.getFloat(0), decoded);
        }
    }

    /** Arrays the run holds between steps; constant over steps unless a step leaks (tested). */
    int heldArrays() {
        return run.getManagedArrays().size();
    }

    @Override
    public void close() {
        run.close();
    }
}
