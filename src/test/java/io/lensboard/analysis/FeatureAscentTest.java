package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.analysis.FeatureAscent.Input;
import io.lensboard.analysis.FeatureAscent.Objective;
import io.lensboard.analysis.FeatureAscent.Params;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FeatureAscentTest {

    private static Params params(Input input, Optimizer optimizer, double lr, int steps) {
        return new Params(input, new Feature(2, FeatureSlice.parse("[:, :, 5]")), 4, Objective.MEAN, 100, optimizer, lr, steps,
                0, 1, 5, 10);
    }

    /** Plain gradient ascent on the embedding: the objective rises from window to window of ten steps. */
    @ParameterizedTest
    @EnumSource(Input.class)
    void gradientAscentIncreasesTheObjectiveOnAverage(Input input) {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu());
             FeatureAscent a = new FeatureAscent(m, params(input, Optimizer.GD, input == Input.EMBEDDING ? 0.01 : 1.0, 60))) {
            double[] windows = new double[6];
            for (int i = 0; i < 60; i++) {
                windows[i / 10] += a.step().objective() / 10;
            }
            System.out.printf("ascent %s: window means %s%n", input, java.util.Arrays.toString(windows));
            for (int w = 1; w < windows.length; w++) {
                assertTrue(windows[w] > windows[w - 1], "window " + w + " mean above window " + (w - 1) + ": "
                        + java.util.Arrays.toString(windows));
            }
            FeatureAscent.Result r = a.result();
            assertTrue(r.value() > windows[0], "the final value is above the first steps'");
        }
    }

    /** The softmax prior decodes by argmax over the vocabulary: every id is a token of it, one per input position. */
    @Test
    void softmaxPriorYieldsValidTokenIds() {
        try (LoadedModel m = ModelLoader.load("llama-tiny", Fixtures.dir("llama-tiny"), null, Device.cpu());
             FeatureAscent a = new FeatureAscent(m, params(Input.SOFTMAX_PRIOR, Optimizer.ADAM, 0.1, 30))) {
            for (int i = 0; i < 30; i++) {
                a.step();
            }
            FeatureAscent.Result r = a.result();
            assertEquals(4, r.ids().length);
            assertEquals(5, r.topk().length);
            for (long[] row : r.topk()) {
                for (long id : row) {
                    assertTrue(id >= 0 && id < m.config().vocabSize(), "token id " + id);
                }
            }
            assertTrue(Double.isFinite(r.decodedValue()));
            assertEquals(m.tokenizer().decode(r.ids()), r.text());
        }
    }

    @ParameterizedTest
    @EnumSource(Input.class)
    void memoryStaysFlatOverSteps(Input input) {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu());
             FeatureAscent a = new FeatureAscent(m, params(input, Optimizer.ADAM, 0.01, 100))) {
            for (int i = 0; i < 5; i++) {
                a.step();
            }
            int held = a.heldArrays();
            for (int i = 0; i < 45; i++) {
                a.step();
            }
            assertEquals(held, a.heldArrays(), "arrays held by the run after 50 steps");
        }
    }
}
