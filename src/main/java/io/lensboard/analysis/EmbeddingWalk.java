package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.LoadedModel;

/**
 * A walk of the input embedding away from the prompt's embedding e (write-up "sentence representation", the
 * manifold walks): e_0 = e, each step moves e_n, and the walk measures how far it went in the input, d_i =
 * ‖e − e_n‖₁, against how far the output moved, d_o = ‖O_l(e) − O_l(e_n)‖₁. Every method runs on the model's device
 * thread; a step's arrays live in its own manager.
 */
public abstract class EmbeddingWalk implements AutoCloseable {

    /** The input and output distances after a step. */
    public record Distances(double dI, double dO) {}

    protected final NDManager run;
    protected final SentenceTarget target;
    protected final NDArray e;        // e_n [1, T, d], starting at e
    protected final int tokens;
    protected final int width;

    protected EmbeddingWalk(LoadedModel model, String prompt, NetworkSpec network) {
        run = model.newScope();
        target = new SentenceTarget(model, prompt, network, run);
        e = target.e().duplicate();
        Shape s = e.getShape();
        tokens = (int) s.get(1);
        width = (int) s.get(2);
    }

    /** d_i = ‖e − e_n‖₁ and d_o = ‖O_l(e) − O_l(e_n)‖₁ for the current e_n. */
    protected Distances distances(NDManager scope) {
        NDArray x = Scopes.copy(e, scope);
        double dI = SentenceTarget.scalar(x.sub(target.e()).abs().sum());
        return new Distances(dI, target.outputDistance(x));
    }

    /** An array [1, T, d] of the run's type from row-major doubles, owned by {@code scope}. */
    protected NDArray array(double[] values, NDManager scope) {
        NDArray a = scope.create(values, new Shape(1, tokens, width));
        return target.type() == DataType.FLOAT64 ? a : a.toType(target.type(), false);
    }

    /** The top-k decodings of e_n through W⁺, [k][T] (row 0 the top-1). */
    public long[][] decode(int k) {
        try (NDManager scope = run.newSubManager()) {
            return target.decode(Scopes.copy(e, scope), k);
        }
    }

    public long[] target() {
        return target.ids();
    }

    public String text(long[] ids) {
        return target.decodeText(ids);
    }

    /** e, e_0 (= e) and the current e_n, for the export. */
    public Embeddings embeddings() {
        double[] start = Embeddings.values(target.e());
        return new Embeddings(tokens, width, target.type() == DataType.FLOAT64, start, start, Embeddings.values(e));
    }

    /** Arrays the walk holds between steps; constant over steps unless a step leaks. */
    int heldArrays() {
        return run.getManagedArrays().size();
    }

    @Override
    public void close() {
        run.close();
    }
}
