package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.lensboard.model.LoadedModel;

/**
 * The orthogonal walk (sentence representation): from e, repeat g = ∇_{e_n} Σ O_l(e_n) [T, d]; g = U Σ Vᵀ (full
 * SVD, float64); e_{n+1} = e_n + η v with v a right-singular vector orthogonal to every row of g, so that to first
 * order the output does not move. {@code LAST}: the last row of Vᵀ broadcast to every token, as written;
 * {@code MATRIX}: the last T rows of Vᵀ, one per token (needs d ≥ 2T).
 */
public final class OrthogonalWalk extends EmbeddingWalk {

    public enum Direction { LAST, MATRIX }

    public record Params(String prompt, NetworkSpec network, double eta, Direction direction) {}

    /** After step n: max_t |g_t · v_t| (the write-up's check), d_i and d_o. */
    public record Step(int step, double orthogonality, Distances distances) {}

    private final Params p;
    private int n;

    public OrthogonalWalk(LoadedModel model, Params p) {
        super(model, p.prompt(), p.network());
        this.p = p;
    }

    public Step step() {
        try (NDManager scope = run.newSubManager()) {
            NDArray x = Scopes.copy(e, scope);
            x.setRequiresGradient(true);
            double[] g;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(target.output(x).sum());
                g = Embeddings.values(x.getGradient()); // g = grad_e sum O_l(e), [T, d] row-major
            }
            double[][] rows = NullSpace.lastRows(g, tokens, width, p.direction() == Direction.LAST ? 1 : tokens);
            double[] v = new double[tokens * width];
            double orthogonality = 0;
            for (int t = 0; t < tokens; t++) {
                double[] vt = rows[p.direction() == Direction.LAST ? 0 : t];
                double dot = 0;
                for (int i = 0; i < width; i++) {
                    v[t * width + i] = vt[i];
                    dot += g[t * width + i] * vt[i];
                }
                orthogonality = Math.max(orthogonality, Math.abs(dot)); // max_t |g_t . v_t|
            }
            // e_{n+1} = e_n + eta v
            e.addi(array(v, scope).mul(p.eta()));
            n++;
            return new Step(n, orthogonality, distances(scope));
        }
    }
}
