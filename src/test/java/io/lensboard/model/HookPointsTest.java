package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lensboard.Fixtures;
import io.lensboard.model.pool.ModelLoader;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hook points issue 24's views read and change: hook_pattern, hook_result (Σ_h result + b_O = attn_out), an
 * intervention's effect, a pass started from a block, and the final norm with its scale frozen.
 */
class HookPointsTest {

    private static final String PROMPT = "The cat sat on the mat because it was warm.";

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void patternsAreCausalDistributionsAndHeadResultsSumToTheAttentionOutput(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu()); NDManager s = m.newScope()) {
            Transformer tf = m.transformer();
            long[] ids = m.tokenizer().encode(PROMPT);
            int t = ids.length;
            ActivationCache cache = ActivationCache.all();
            tf.forward(tf.embed(s.create(ids).reshape(1, t)), Forward.full(m.config()), cache);
            ModelConfig c = m.config();
            for (int l = 0; l < c.nLayers(); l++) {
                NDArray pattern = cache.get(Hooks.pattern(l));
                assertEquals(new Shape(1, c.nHeads(), t, t), pattern.getShape());
                float[] p = pattern.toFloatArray();
                for (int h = 0; h < c.nHeads(); h++) {
                    for (int q = 0; q < t; q++) {
                        double sum = 0;
                        for (int k = 0; k < t; k++) {
                            float v = p[(h * t + q) * t + k];
                            if (k > q) {
                                assertEquals(0f, v, "layer " + l + " head " + h + " query " + q + " key " + k);
                            }
                            sum += v;
                        }
                        assertEquals(1.0, sum, 1e-5);
                    }
                }
                NDArray result = cache.get(Hooks.result(l));
                assertEquals(new Shape(1, t, c.nHeads(), c.dModel()), result.getShape());
                NDArray summed = result.sum(new int[] {2});
                NDArray bO = tf.outputBias(l);
                if (bO != null) {
                    summed = summed.add(bO);
                }
                assertArrayEquals(cache.get(Hooks.attnOut(l)).toFloatArray(), summed.toFloatArray(), 1e-5f, "layer " + l);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void capturingChangesNothingAndInterventionsChangeWhatFollows(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu()); NDManager s = m.newScope()) {
            Transformer tf = m.transformer();
            long[] ids = m.tokenizer().encode(PROMPT);
            NDArray e = tf.embed(s.create(ids).reshape(1, ids.length));
            Forward full = Forward.full(m.config());
            float[] plain = tf.forward(e, full, ActivationCache.none()).toFloatArray();
            assertArrayEquals(plain, tf.forward(e, full, ActivationCache.all()).toFloatArray(), 0f);

            // Zeroing head 0 of block 1 through hook_result equals removing its share of hook_attn_out by hand.
            ActivationCache seen = ActivationCache.all();
            tf.forward(e, full, seen);
            NDArray head0 = seen.get(Hooks.result(1)).get(":, :, 0, :");
            NDArray attnOut = seen.get(Hooks.attnOut(1));
            NDArray byHand = attnOut.sub(head0);
            float[] zeroHead = tf.forward(e, full, ActivationCache.none().with(intervention(Hooks.result(1),
                    a -> a.mul(headMask(a, 0))))).toFloatArray();
            float[] zeroByAttnOut = tf.forward(e, full, ActivationCache.none().with(intervention(Hooks.attnOut(1),
                    a -> byHand))).toFloatArray();
            assertArrayEquals(zeroByAttnOut, zeroHead, 1e-4f);
            assertFalse(Arrays.equals(plain, zeroHead), "zeroing a head must change the logits");

            float[] zeroMlp = tf.forward(e, full, ActivationCache.none().with(intervention(Hooks.mlpOut(0), NDArray::zerosLike)))
                    .toFloatArray();
            assertFalse(Arrays.equals(plain, zeroMlp), "zeroing an MLP must change the logits");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void aPassFromABlockGoesOnAsTheFullPass(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu()); NDManager s = m.newScope()) {
            Transformer tf = m.transformer();
            long[] ids = m.tokenizer().encode(PROMPT);
            NDArray e = tf.embed(s.create(ids).reshape(1, ids.length));
            Forward full = Forward.full(m.config());
            ActivationCache cache = ActivationCache.of(Hooks::isResidual);
            float[] logits = tf.forward(e, full, cache).toFloatArray();
            for (int l = 0; l < m.config().nLayers(); l++) {
                float[] fromL = tf.forwardFrom(l, cache.get(Hooks.residPre(l)), full, ActivationCache.none()).toFloatArray();
                assertArrayEquals(logits, fromL, 0f, "from block " + l);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void theFrozenFinalNormOfTheWholeResidualPlusItsBiasIsTheNorm(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu()); NDManager s = m.newScope()) {
            Transformer tf = m.transformer();
            long[] ids = m.tokenizer().encode(PROMPT);
            NDArray x = tf.forward(tf.embed(s.create(ids).reshape(1, ids.length)), Forward.residualAfter(2), ActivationCache.none());
            NDArray half = x.mul(0.25f);
            NDArray parts = tf.frozenFinalNorm(half, x).add(tf.frozenFinalNorm(x.sub(half), x));
            NDArray beta = tf.finalNormBias();
            if (beta != null) {
                parts = parts.add(beta);
            }
            assertArrayEquals(tf.finalNorm(x).toFloatArray(), parts.toFloatArray(), 1e-5f);
            assertTrue(beta != null == (m.config().architecture() == ModelConfig.Architecture.GPT2));
        }
    }

    /** [1, T, heads, d] mask that is 0 on head h and 1 elsewhere. */
    private static NDArray headMask(NDArray a, int h) {
        long heads = a.getShape().get(2);
        float[] keep = new float[(int) heads];
        Arrays.fill(keep, 1f);
        keep[h] = 0f;
        return a.getManager().create(keep).reshape(1, 1, heads, 1);
    }

    private static Intervention intervention(String hook, java.util.function.UnaryOperator<NDArray> change) {
        return new Intervention() {
            @Override
            public boolean targets(String name) {
                return name.equals(hook);
            }

            @Override
            public NDArray apply(String name, NDArray activation) {
                return change.apply(activation);
            }
        };
    }
}
