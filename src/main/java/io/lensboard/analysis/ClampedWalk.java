package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.lensboard.model.LoadedModel;
import java.util.Random;

/**
 * The clamped gradient walk (sentence representation): each step draws an index i over the embedding dimension,
 * adds η·N(0, 1) noise to one side of i in every token, then takes {@code innerSteps} gradient steps of size ε on
 * ‖O_l(e_n) − O_l(e*)‖₁ (e* = e, the prompt's embedding) over the other side only. {@code HEAD}: noise on [:i],
 * as the write-up's equation; {@code TAIL}: noise on [i:], as its code. r = ‖e − e_n‖₁ / ‖O_l(e) − O_l(e_n)‖₁.
 */
public final class ClampedWalk extends EmbeddingWalk {

    public enum NoiseSide { HEAD, TAIL }

    /** {@code seed}: the index i and the noise, drawn from one generator so a walk is reproducible. */
    public record Params(String prompt, NetworkSpec network, double eta, double epsilon, int innerSteps, NoiseSide noiseSide,
                         long seed) {}

    /** After step n: the index i drawn, d_i and d_o (r = d_i / d_o). */
    public record Step(int step, int index, Distances distances) {}

    private final Params p;
    private final Random random;
    private int n;

    public ClampedWalk(LoadedModel model, Params p) {
        super(model, p.prompt(), p.network());
        this.p = p;
        this.random = new Random(p.seed());
    }

    public Step step() {
        int i = random.nextInt(width);
        double[] noise = new double[tokens * width];
        double[] clamp = new double[tokens * width]; // 1 where the gradient steps act: the side without noise
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < width; j++) {
                boolean noisy = p.noiseSide() == NoiseSide.HEAD ? j < i : j >= i;
                noise[t * width + j] = noisy ? p.eta() * random.nextGaussian() : 0;
                clamp[t * width + j] = noisy ? 0 : 1;
            }
        }
        try (NDManager scope = run.newSubManager()) {
            e.addi(array(noise, scope));
            NDArray side = array(clamp, scope);
            for (int k = 0; k < p.innerSteps(); k++) {
                innerStep(side);
            }
            n++;
            return new Step(n, i, distances(scope));
        }
    }

    /** e_n <- e_n - eps * grad ||O_l(e_n) - O_l(e*)||_1, on the clamped side only. */
    private void innerStep(NDArray side) {
        try (NDManager scope = run.newSubManager()) {
            NDArray x = Scopes.copy(e, scope);
            x.setRequiresGradient(true);
            NDArray grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(target.outputDiff(x).abs().sum());
                grad = x.getGradient();
            }
            e.subi(Scopes.copy(side, scope).mul(grad).mul(p.epsilon()));
        }
    }
}
