package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lensboard.Fixtures;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import io.lensboard.model.TunedLensWeights;
import io.lensboard.model.checkpoint.TunedLensFiles;
import io.lensboard.model.pool.ModelLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The tuned lens decoder: lm_head(final_norm(h_l + A_l h_l + b_l)) for l = 0 … L−1, the output layer as it is. */
class TunedLensDecodingTest {
    private static final String PROMPT = "The tuned lens reads every layer";

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "stories260K/hf"})
    void zeroTranslatorsAreExactlyTheLogitLens(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.path(model), null, Device.cpu())) {
            int d = m.config().dModel();
            int layers = m.config().nLayers();
            TunedLensWeights zero = new TunedLensWeights("zero", d, layers, model, "linear_tuned_lens",
                    Collections.nCopies(layers, new float[d * d]), Collections.nCopies(layers, new float[d]));
            LogitLens.Request request = new LogitLens.Request(PROMPT, 5, false);
            long[] ids = LogitLens.tokenize(m, request);
            LensResult logit = LogitLens.run(m, request, ids, layer -> {});
            LensResult tuned = LogitLens.run(m, request, ids, zero, layer -> {});
            assertEquals(logit.layers(), tuned.layers(), "every number of every layer, exactly");
            assertEquals("logit", logit.decoder());
            assertEquals("tuned:zero", tuned.decoder());
        }
    }

    /**
     * The fixture lens (PyTorch-written params.pt, seeded random translators) against the same decoding done here by
     * hand: h + A h + b in float64 from the forward pass's residuals, then the model's own final norm and unembedding;
     * top-1 probability within 1e-5. The output layer has no translator: it equals the logit lens's exactly.
     */
    @Test
    void appliesEachLayersTranslatorBeforeTheFinalNorm() {
        Path lensDir = Path.of("src/test/resources/lenses/gpt2-tiny");
        TunedLensWeights lens = TunedLensFiles.read(lensDir, "gpt2-tiny");
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.path("gpt2-tiny"), null, Device.cpu());
             NDManager scope = m.newScope()) {
            LogitLens.Request request = new LogitLens.Request(PROMPT, 3, false);
            long[] ids = LogitLens.tokenize(m, request);
            List<LensResult.Layer> streamed = new ArrayList<>();
            LensResult tuned = LogitLens.run(m, request, ids, lens, streamed::add);
            LensResult logit = LogitLens.run(m, request, ids, layer -> {});
            assertEquals(tuned.layers(), streamed);
            for (int i = 0; i < ids.length; i++) { // the output layer is the model's own; only kl_input (to the translated layer 0) differs
                LensResult.Position a = logit.layers().get(4).positions().get(i);
                LensResult.Position b = tuned.layers().get(4).positions().get(i);
                assertEquals(a.top(), b.top(), "output top-k at " + i);
                assertEquals(a.entropy(), b.entropy(), "output entropy at " + i);
                assertEquals(0.0, b.klFinal());
            }

            Transformer tf = m.transformer();
            ActivationCache cache = ActivationCache.of(Hooks::isResidual);
            tf.forward(tf.embed(scope.create(ids).reshape(1, ids.length)), Forward.residualAfter(4), cache);
            for (int l = 0; l < 4; l++) {
                float[] h = cache.get(l == 0 ? Hooks.residPre(0) : Hooks.residPost(l - 1)).toFloatArray();
                float[] translated = translate(h, lens.weights().get(l), lens.biases().get(l), 64);
                NDArray logits = tf.unembed(tf.finalNorm(scope.create(translated).reshape(1, ids.length, 64))).squeeze(0);
                NDArray logProbs = logits.toType(DataType.FLOAT64, false).logSoftmax(-1);
                long[] top = logProbs.argMax(-1).toLongArray();
                for (int i = 0; i < ids.length; i++) {
                    LensResult.TopToken got = tuned.layers().get(l).positions().get(i).top().get(0);
                    assertEquals(top[i], got.id(), "layer " + l + " position " + i);
                    assertEquals(Math.exp(logProbs.getDouble(i, top[i])), got.prob(), 1e-5, "layer " + l + " position " + i);
                }
                assertNotEquals(logit.layers().get(l), tuned.layers().get(l), "layer " + l + " is translated");
            }
        }
    }

    /** h + A h + b per position, in float64; A as nn.Linear stores it, [d_out, d_in]. */
    private static float[] translate(float[] h, float[] a, float[] b, int d) {
        float[] out = new float[h.length];
        for (int t = 0; t < h.length / d; t++) {
            for (int o = 0; o < d; o++) {
                double s = h[t * d + o] + b[o];
                for (int i = 0; i < d; i++) {
                    s += (double) a[o * d + i] * h[t * d + i];
                }
                out[t * d + o] = (float) s;
            }
        }
        return out;
    }
}
