package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.corpora.Corpora;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training a tuned lens on stories260K's own text (the built-in corpus), directly on the model. */
class TunedLensTest {

    private static CorpusChunks corpus(LoadedModel m, int context, long tokens, int heldOut) {
        return CorpusChunks.cut(m.tokenizer(), "tinystories-sampled", Corpora.builtIn(), context, tokens, heldOut);
    }

    @Test
    void untrainedTranslatorsAreTheLogitLens() {
        try (LoadedModel m = ModelLoader.load("stories260K", Fixtures.path("stories260K/hf"), null, Device.cpu());
             TunedLens lens = new TunedLens(m, corpus(m, 64, 2048, 4), new TunedLens.Params(10, 1, TunedLens.Optimizer.SGD, 4, 0))) {
            TunedLens.Evaluation e = lens.evaluate();
            assertArrayEquals(e.klLogit(), e.klTuned(), 0, "W = 0, b = 0: the same decoding");
            assertEquals(6, e.klLogit().length, "layers 0 … 5 of a 5-block model");
            assertEquals(0, e.klLogit()[5], 1e-9, "the last layer is the output");
            assertTrue(e.klLogit()[0] > 0.1, Arrays.toString(e.klLogit()));
        }
    }

    @Test
    void trainingLowersHeldOutKlBelowTheLogitLens() {
        for (TunedLens.Optimizer optimizer : TunedLens.Optimizer.values()) {
            try (LoadedModel m = ModelLoader.load("stories260K", Fixtures.path("stories260K/hf"), null, Device.cpu());
                 TunedLens lens = new TunedLens(m, corpus(m, 64, 8192, 4), new TunedLens.Params(30,
                         optimizer == TunedLens.Optimizer.SGD ? 0.25 : 0.01, optimizer, 4, 0))) {
                double first = 0;
                double last = 0;
                int held = -1;
                while (!lens.finished()) {
                    TunedLens.Step s = lens.step();
                    double sum = Arrays.stream(s.kl()).sum();
                    first = s.step() == 1 ? sum : first;
                    last = sum;
                    held = s.step() == 1 ? lens.heldArrays() : held;
                }
                assertEquals(held, lens.heldArrays(), "a step keeps nothing beyond the translators and their optimiser state");
                TunedLens.Evaluation e = lens.evaluate();
                double logit = Arrays.stream(e.klLogit()).average().orElseThrow();
                double tuned = Arrays.stream(e.klTuned()).average().orElseThrow();
                System.out.printf("%s: training %.4f -> %.4f; held-out logit %s tuned %s%n", optimizer, first, last,
                        Arrays.toString(e.klLogit()), Arrays.toString(e.klTuned()));
                assertTrue(tuned < 0.8 * logit, optimizer + ": held-out mean KL " + tuned + " against the logit lens's " + logit);
                if (optimizer == TunedLens.Optimizer.SGD) {
                    for (int l = 0; l < lens.layers(); l++) {
                        assertTrue(e.klTuned()[l] < e.klLogit()[l], "layer " + l + ": " + e.klTuned()[l] + " against " + e.klLogit()[l]);
                    }
                }
            }
        }
    }

    /** What a training gives: every step's KL per layer, the held-out evaluation and the translators. */
    private record Trained(List<double[]> kl, TunedLens.Evaluation evaluation, TunedLens.Translators translators) {}

    private static TunedLens small(LoadedModel m, long seed) {
        // 18 chunks of 32 (one held out), 2 per step over 10 steps: the order is reshuffled once on the way
        return new TunedLens(m, corpus(m, 32, 32 * 18, 2), new TunedLens.Params(10, 0.25, TunedLens.Optimizer.SGD, 2, seed));
    }

    private static Trained finish(TunedLens lens, List<double[]> kl) {
        return new Trained(kl, lens.evaluate(), lens.translators());
    }

    /** Bit for bit: assertArrayEquals on doubles without a delta compares their bits; deepEquals, the floats'. */
    @Test
    void trainingIsBitIdenticalForItsSeedWhateverRunsBesideIt() {
        try (LoadedModel m = ModelLoader.load("stories260K", Fixtures.path("stories260K/hf"), null, Device.cpu())) {
            Trained alone;
            try (TunedLens lens = small(m, 3)) {
                List<double[]> kl = new ArrayList<>();
                while (!lens.finished()) {
                    kl.add(lens.step().kl());
                }
                alone = finish(lens, kl);
            }
            // the same training again, its steps interleaved with another seed's on the same model
            Trained again;
            Trained other;
            try (TunedLens lens = small(m, 3); TunedLens beside = small(m, 4)) {
                List<double[]> kl = new ArrayList<>();
                List<double[]> klBeside = new ArrayList<>();
                while (!lens.finished()) {
                    klBeside.add(beside.step().kl());
                    kl.add(lens.step().kl());
                }
                other = finish(beside, klBeside);
                again = finish(lens, kl);
            }
            for (int i = 0; i < alone.kl().size(); i++) {
                assertArrayEquals(alone.kl().get(i), again.kl().get(i), "step " + (i + 1) + "'s KL per layer");
            }
            assertTrue(Arrays.deepEquals(alone.translators().weights(), again.translators().weights()), "W_l bit for bit");
            assertTrue(Arrays.deepEquals(alone.translators().biases(), again.translators().biases()), "b_l bit for bit");
            assertArrayEquals(alone.evaluation().klTuned(), again.evaluation().klTuned(), "held-out KL, tuned");
            assertArrayEquals(alone.evaluation().klLogit(), again.evaluation().klLogit(), "held-out KL, logit");
            assertFalse(Arrays.deepEquals(alone.translators().weights(), other.translators().weights()),
                    "another seed orders the chunks otherwise, so it trains other translators");
        }
    }
}
