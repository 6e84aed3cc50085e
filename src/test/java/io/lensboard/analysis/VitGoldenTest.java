package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ViT and the hybrid "ViT stem + GPT-2 blocks" against {@code vit-tiny/golden.json}, written by the steering
 * repo's independent PyTorch reference ({@code ref/vit.py}, {@code ref/make_vit_fixtures.py}) for the fixture's
 * seeded random ViT, sample.png and gpt2-tiny's blocks. Tolerances as its README states them: |got - want| <=
 * rtol * scale, rtol 1e-4 for activations, 1e-3 for gradients and the ascent's final pixels; scale = max |want|
 * of a list, abs_sum for a sum, |want| + 1e-6 for another scalar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VitGoldenTest {
    private static final double ACT = 1e-4;
    private static final double GRAD = 1e-3;

    private JsonNode golden;
    private LoadedModel vit;
    private LoadedModel hybrid;
    private BufferedImage sample;

    @BeforeAll
    void load() throws IOException {
        Path dir = Fixtures.dir("vit-tiny");
        Path stack = Fixtures.dir("gpt2-tiny");
        golden = Fixtures.json(dir.resolve("golden.json"));
        sample = ImageIO.read(dir.resolve("sample.png").toFile());
        vit = ModelLoader.load("vit-tiny", dir, null, Device.cpu());
        hybrid = ModelLoader.loadHybrid("vit-tiny+gpt2-tiny", dir, null, stack, null, Device.cpu(), LoadProgress.NONE);
    }

    @AfterAll
    void close() {
        if (vit != null) {
            vit.close();
        }
        if (hybrid != null) {
            hybrid.close();
        }
    }

    @Test
    void preprocessingIsBitwiseTheFixturesFormulaForEveryByte() {
        var processor = vit.images().vision().processor();
        for (int u8 = 0; u8 < 256; u8++) {
            BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            one.setRGB(0, 0, (u8 << 16) | (u8 << 8) | u8);
            var noResize = new io.lensboard.model.ImageProcessor(false, 1, 1, processor.doRescale(), processor.rescaleFactor(),
                    processor.doNormalize(), processor.mean(), processor.std());
            float got = noResize.pixelValues(one, 3)[0];
            assertEquals(Float.floatToIntBits(((float) u8 / 255f - 0.5f) / 0.5f), Float.floatToIntBits(got), "u8 " + u8);
        }
    }

    @Test
    void pixelValuesMatchTheReference() {
        JsonNode want = golden.path("pixel_values");
        try (NDManager scope = vit.newScope()) {
            NDArray x = ImageActivations.pixelValues(vit, sample, scope);
            assertEquals(new Shape(1, 3, 32, 32), x.getShape());
            checkSums(want, x.toFloatArray(), ACT, "pixel_values");
            checkList(want.path("patch_sum"), patchSums(x.toFloatArray()), ACT, "pixel_values patch_sum");
        }
    }

    @Test
    void vitHiddenStatesAndFinalNormMatchTheReference() {
        checkHiddenStates(vit, golden.path("vit").path("hidden_states"));
        try (NDManager scope = vit.newScope()) {
            NDArray x = ImageActivations.pixelValues(vit, sample, scope);
            NDArray last = ImageActivations.blockOutput(vit, vit.config().nLayers(), x);
            checkState(golden.path("vit").path("final_layernorm"), vit.transformer().finalNorm(last).toFloatArray(), "final_layernorm");
        }
    }

    @Test
    void hybridHiddenStatesMatchTheReference() {
        assertEquals(4, hybrid.config().nLayers());
        checkHiddenStates(hybrid, golden.path("hybrid").path("hidden_states"));
    }

    @Test
    void vitFeaturesAndGradientsMatchTheReference() {
        checkFeature(vit, golden.path("vit").path("feature_neuron"), false);
        checkFeature(vit, golden.path("vit").path("feature_token"), false);
    }

    @Test
    void hybridFeaturesAndGradientsMatchTheReferenceAndLaterPatchesGetExactlyNone() {
        checkFeature(hybrid, golden.path("hybrid").path("feature_neuron"), false);
        checkFeature(hybrid, golden.path("hybrid").path("feature_token"), true);
        for (JsonNode extra : golden.path("hybrid").path("feature_extra")) {
            checkFeature(hybrid, extra, false);
        }
    }

    @Test
    void reconstructionObjectiveAndGradientMatchTheReference() {
        checkReconstruction(vit, golden.path("vit").path("reconstruction"));
        checkReconstruction(hybrid, golden.path("hybrid").path("reconstruction"));
    }

    @Test
    void blurAndJitterMatchTheReference() {
        JsonNode blur = golden.path("blur");
        double sigma = blur.path("sigma").asDouble();
        float[] kernel = ImageOps.kernel1d(sigma);
        assertEquals(blur.path("ksize").asInt(), kernel.length);
        checkList(blur.path("kernel1d"), toDouble(kernel), ACT, "kernel1d");
        JsonNode jitter = golden.path("jitter");
        try (NDManager scope = vit.newScope()) {
            NDArray x = ImageActivations.pixelValues(vit, sample, scope);
            float[] blurred = ImageOps.gaussianBlur(x, sigma).toFloatArray();
            checkSums(blur, blurred, ACT, "blur");
            checkList(blur.path("patch_sum"), patchSums(blurred), ACT, "blur patch_sum");
            float[] rolled = ImageOps.roll(x, jitter.path("dy").asInt(), jitter.path("dx").asInt()).toFloatArray();
            checkList(jitter.path("first8"), first8(rolled), ACT, "jitter first8");
            checkList(jitter.path("patch_sum"), patchSums(rolled), ACT, "jitter patch_sum");
        }
    }

    @Test
    void plainAscentMatchesTheReferenceStepByStep() {
        JsonNode want = golden.path("ascent");
        ImageAscent.Params p = new ImageAscent.Params(feature(want), Optimizer.GD, want.path("lr").asDouble(), 0, false);
        checkAscent(want, p, ImageAscent.Shifts.random(0, 0));
    }

    @Test
    void regularizedAscentMatchesTheReferenceStepByStep() {
        JsonNode want = golden.path("ascent_regularized");
        JsonNode shifts = want.path("jitter_dy_dx");
        ImageAscent.Params p = new ImageAscent.Params(feature(want), Optimizer.GD, want.path("lr").asDouble(),
                want.path("blur").get(1).asDouble(), false);
        checkAscent(want, p, t -> new int[] {shifts.get(t).get(0).asInt(), shifts.get(t).get(1).asInt()});
    }

    private void checkAscent(JsonNode want, ImageAscent.Params p, ImageAscent.Shifts shifts) {
        assertEquals("hybrid", want.path("model").asText());
        int steps = want.path("steps").asInt();
        try (ImageAscent ascent = new ImageAscent(hybrid, p, start(want.path("start")), shifts)) {
            double[] values = new double[steps + 1];
            for (int t = 0; t < steps; t++) {
                ImageAscent.Step s = ascent.step();
                assertEquals(t, s.step());
                values[t] = s.value();
            }
            values[steps] = ascent.value();
            checkList(want.path("values"), values, ACT, "ascent values");
            checkList(want.path("final_first8"), first8(ascent.pixels()), GRAD, "ascent final_first8");
        }
    }

    /** x0[ch][i][j] = (float)((a*i + b*j + c*ch) mod m - (m-1)/2) / div */
    private static float[] start(JsonNode s) {
        int a = s.path("a").asInt(), b = s.path("b").asInt(), c = s.path("c").asInt(), m = s.path("m").asInt();
        float div = (float) s.path("div").asDouble();
        float[] x = new float[3 * 32 * 32];
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < 32; i++) {
                for (int j = 0; j < 32; j++) {
                    x[(ch * 32 + i) * 32 + j] = (float) ((a * i + b * j + c * ch) % m - (m - 1) / 2.0) / div;
                }
            }
        }
        return x;
    }

    private static Feature feature(JsonNode f) {
        return new Feature(f.path("block").asInt(), FeatureSlice.parse(f.path("feature").asText()));
    }

    private void checkHiddenStates(LoadedModel model, JsonNode want) {
        try (NDManager scope = model.newScope()) {
            NDArray states = ImageActivations.hiddenStates(model, ImageActivations.pixelValues(model, sample, scope));
            assertEquals(new Shape(want.size(), 17, 64), states.getShape());
            for (JsonNode layer : want) {
                int l = layer.path("layer").asInt();
                checkState(layer, states.get(l).toFloatArray(), model.id() + " hidden_states[" + l + "]");
            }
        }
    }

    private static void checkState(JsonNode want, float[] state, String what) {
        int d = 64;
        double[] l2 = new double[state.length / d];
        for (int t = 0; t < l2.length; t++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
                s += (double) state[t * d + i] * state[t * d + i];
            }
            l2[t] = Math.sqrt(s);
        }
        checkList(want.path("token_l2"), l2, ACT, what + " token_l2");
        checkList(want.path("token0_first8"), first8(state), ACT, what + " token0_first8");
        float[] last = java.util.Arrays.copyOfRange(state, state.length - d, state.length);
        checkList(want.path("last_token_first8"), first8(last), ACT, what + " last_token_first8");
        double sum = 0, abs = 0;
        for (float v : state) {
            sum += v;
            abs += Math.abs(v);
        }
        check(want.path("sum").asDouble(), sum, ACT * want.path("abs_sum").asDouble(), what + " sum");
        check(want.path("abs_sum").asDouble(), abs, ACT * (want.path("abs_sum").asDouble() + 1e-6), what + " abs_sum");
    }

    private void checkFeature(LoadedModel model, JsonNode want, boolean laterPatchesZero) {
        String what = model.id() + " " + want.path("feature").asText() + " of block " + want.path("block").asInt();
        try (NDManager scope = model.newScope()) {
            NDArray x = ImageActivations.pixelValues(model, sample, scope);
            x.setRequiresGradient(true);
            double value;
            float[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray f = ImageActivations.feature(model, feature(want), x).sum();
                gc.backward(f);
                value = f.getFloat();
                grad = x.getGradient().toFloatArray();
            }
            checkScalar(want.path("value").asDouble(), value, ACT, what + " value");
            checkGradient(want, grad, what);
            if (laterPatchesZero) {
                double[] patches = patchL2(grad);
                for (int p = want.path("patch_of_token").asInt() + 1; p < 16; p++) {
                    assertEquals(0.0, patches[p], 1e-12, what + ": patch " + p + " comes after the token's patch");
                }
            }
        }
    }

    private void checkReconstruction(LoadedModel model, JsonNode want) {
        int block = want.path("block").asInt();
        String what = model.id() + " reconstruction at block " + block;
        try (NDManager scope = model.newScope()) {
            NDArray x = ImageActivations.pixelValues(model, sample, scope);
            NDArray target = ImageActivations.blockOutput(model, block, x.flip(3)).stopGradient();
            x.setRequiresGradient(true);
            double l1;
            float[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = ImageOps.l1(ImageActivations.blockOutput(model, block, x), target);
                gc.backward(loss);
                l1 = loss.getFloat();
                grad = x.getGradient().toFloatArray();
            }
            checkScalar(want.path("l1_mean").asDouble(), l1, ACT, what + " l1_mean");
            checkGradient(want, grad, what);
        }
    }

    private static void checkGradient(JsonNode want, float[] grad, String what) {
        double l2 = 0;
        for (float g : grad) {
            l2 += (double) g * g;
        }
        checkScalar(want.path("grad_l2").asDouble(), Math.sqrt(l2), GRAD, what + " grad_l2");
        checkList(want.path("grad_patch_l2"), patchL2(grad), GRAD, what + " grad_patch_l2");
        checkList(want.path("grad_first8"), first8(grad), GRAD, what + " grad_first8");
    }

    private static void checkSums(JsonNode want, float[] x, double rtol, String what) {
        double sum = 0, abs = 0;
        for (float v : x) {
            sum += v;
            abs += Math.abs(v);
        }
        check(want.path("sum").asDouble(), sum, rtol * want.path("abs_sum").asDouble(), what + " sum");
        check(want.path("abs_sum").asDouble(), abs, rtol * (want.path("abs_sum").asDouble() + 1e-6), what + " abs_sum");
        checkList(want.path("first8"), first8(x), rtol, what + " first8");
    }

    /** patch p's entries of [1, 3, 32, 32]: rows 8 (p / 4).., columns 8 (p % 4).., every channel. */
    private static double[] patchReduce(float[] x, boolean squares) {
        double[] out = new double[16];
        for (int i = 0; i < x.length; i++) {
            int row = (i / 32) % 32;
            int col = i % 32;
            out[(row / 8) * 4 + col / 8] += squares ? (double) x[i] * x[i] : x[i];
        }
        return out;
    }

    private static double[] patchSums(float[] x) {
        return patchReduce(x, false);
    }

    private static double[] patchL2(float[] x) {
        double[] sq = patchReduce(x, true);
        for (int p = 0; p < sq.length; p++) {
            sq[p] = Math.sqrt(sq[p]);
        }
        return sq;
    }

    private static double[] first8(float[] x) {
        return toDouble(java.util.Arrays.copyOf(x, 8));
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    private static void checkList(JsonNode want, double[] got, double rtol, String what) {
        assertEquals(want.size(), got.length, what + ": length");
        double scale = 0;
        for (JsonNode w : want) {
            scale = Math.max(scale, Math.abs(w.asDouble()));
        }
        for (int i = 0; i < got.length; i++) {
            check(want.get(i).asDouble(), got[i], rtol * scale, what + "[" + i + "]");
        }
    }

    private static void checkScalar(double want, double got, double rtol, String what) {
        check(want, got, rtol * (Math.abs(want) + 1e-6), what);
    }

    private static void check(double want, double got, double tolerance, String what) {
        assertTrue(Math.abs(got - want) <= tolerance,
                what + ": got " + got + ", want " + want + " (|diff| " + Math.abs(got - want) + " > " + tolerance + ")");
    }
}
