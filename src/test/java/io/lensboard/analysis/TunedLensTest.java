package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.corpora.Corpora;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.Arrays;
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
}
