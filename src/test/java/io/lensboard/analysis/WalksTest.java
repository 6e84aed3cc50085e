package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lensboard.Fixtures;
import io.lensboard.analysis.ClampedWalk.NoiseSide;
import io.lensboard.analysis.OrthogonalWalk.Direction;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The manifold walks on the fixture gpt2-tiny: the write-up's orthogonality check and distances recomputed from e and e_N. */
class WalksTest {

    /** Block 1's residual stream in float64 (with the LM head, g sums 50,257 logits' gradients and |g_t . v| is ~2e-12). */
    private static final NetworkSpec BLOCK_ONE_64 = new NetworkSpec(Network.TRANSFORMER, 1, false, false, 0, Precision.FLOAT64);

    private static LoadedModel tiny() {
        return ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu());
    }

    /** d_i = ‖e − e_N‖₁ and d_o = ‖O_l(e) − O_l(e_N)‖₁ recomputed from the exported embeddings through a fresh O_l. */
    static double[] recompute(LoadedModel m, NetworkSpec spec, Embeddings x) {
        try (NDManager scope = m.newScope()) {
            Shape shape = new Shape(1, x.tokens(), x.width());
            NDArray e = scope.create(x.e(), shape);
            NDArray eN = scope.create(x.eFinal(), shape);
            TargetNetwork net = spec.build(m, x.tokens(), scope);
            if (spec.precision() == Precision.FLOAT32) {
                e = e.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                eN = eN.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            }
            double dI = 0;
            for (int i = 0; i < x.e().length; i++) {
                dI += Math.abs(x.e()[i] - x.eFinal()[i]);
            }
            double dO = SentenceTarget.scalar(net.output(e).sub(net.output(eN)).abs().sum());
            return new double[] {dI, dO};
        }
    }

    /**
     * The proof: in float64 every step's v is orthogonal to every row of g to below 1e-12, and the reported d_i and
     * d_o are what e and e_N give. The output moves far less than the input (d_o / d_i small) along such directions.
     */
    @ParameterizedTest
    @EnumSource(Direction.class)
    void orthogonalWalkStaysOrthogonalInFloat64(Direction direction) {
        try (LoadedModel m = tiny(); OrthogonalWalk walk = new OrthogonalWalk(m,
                new OrthogonalWalk.Params("The sky is blue.", BLOCK_ONE_64, 0.1, direction))) {
            OrthogonalWalk.Step s = null;
            double worst = 0;
            for (int i = 0; i < 10; i++) {
                s = walk.step();
                worst = Math.max(worst, s.orthogonality());
            }
            assertTrue(worst < 1e-12, "max_t |g_t . v| = " + worst);
            double[] again = recompute(m, BLOCK_ONE_64, walk.embeddings());
            System.out.printf("orthogonal walk (%s): orthogonality %.3g, d_i %.6g, d_o %.6g, d_o/d_i %.4g%n", direction, worst,
                    s.distances().dI(), s.distances().dO(), s.distances().dO() / s.distances().dI());
            assertEquals(again[0], s.distances().dI(), 1e-9 * again[0]);
            assertEquals(again[1], s.distances().dO(), 1e-9 * again[1]);
            // each step moves each of the 5 tokens by eta times a unit vector: ||e - e_N||_1 <= N eta T sqrt(d)
            assertTrue(s.distances().dI() > 0 && s.distances().dI() <= 10 * 0.1 * 5 * Math.sqrt(64) + 1e-9, "d_i " + s.distances().dI());
        }
    }

    /** r = d_i / d_o as recomputed from e and e_N, for both noise sides; memory stays flat over the steps. */
    @ParameterizedTest
    @EnumSource(NoiseSide.class)
    void clampedWalkRatioMatchesARecomputation(NoiseSide side) {
        try (LoadedModel m = tiny(); ClampedWalk walk = new ClampedWalk(m,
                new ClampedWalk.Params("The sky is blue.", BLOCK_ONE_64, 0.01, 0.01, 5, side, 7))) {
            walk.step();
            int held = walk.heldArrays();
            ClampedWalk.Step s = null;
            for (int i = 0; i < 10; i++) {
                s = walk.step();
            }
            assertEquals(held, walk.heldArrays(), "arrays held by the walk after 11 steps");
            double[] again = recompute(m, BLOCK_ONE_64, walk.embeddings());
            double r = s.distances().dI() / s.distances().dO();
            System.out.printf("clamped walk (%s): d_i %.6g, d_o %.6g, r %.4g%n", side, s.distances().dI(), s.distances().dO(), r);
            assertEquals(again[0] / again[1], r, 1e-9 * r);
            assertTrue(s.distances().dI() > 0 && s.distances().dO() > 0);
        }
    }
}
