package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.model.Dtype;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lens of a model held in bfloat16 or float16 against the same model in float32, on the fixtures' golden
 * prompts. Rounding the weights to 8 (bfloat16) or 11 (float16) significant bits moves every logit a little, so
 * the test bounds how much: the fraction of (layer, position) cells whose top-1 token is the same, and the largest
 * change of KL(final || layer) in nats. Measured on 2026-11-30 (top-1 agreement, max |dKL|): bfloat16 gpt2-tiny
 * 0.970, 0.27; llama-tiny 0.991, 0.080; float16 gpt2-tiny 0.993, 0.038; llama-tiny 1.000, 0.0079. These seeded random
 * models have near-flat distributions with KLs of several nats, the hardest case for a top-1; the bounds leave room
 * for other CPUs' summation orders.
 */
class HalfPrecisionLensTest {
    static final double TOP1_BF16 = 0.95;
    static final double TOP1_F16 = 0.98;
    static final double KL_BF16 = 0.5;
    static final double KL_F16 = 0.08;

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"gpt2-tiny, bfloat16", "llama-tiny, bfloat16", "gpt2-tiny, float16", "llama-tiny, float16"})
    void halfPrecisionLensStaysCloseToFloat32(String model, String dtype) {
        Dtype half = Dtype.parse(dtype);
        int cells = 0;
        int same = 0;
        double maxKl = 0;
        try (LoadedModel f32 = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu());
             LoadedModel h = ModelLoader.load(model, Fixtures.dir(model), null, half, Device.cpu(), LoadProgress.NONE)) {
            assertEquals(half, h.dtype());
            assertEquals(f32.bytes() , 2 * h.bytes() - vectorBytes(f32), 1e-9, "matrices take half the bytes");
            for (int prompt = 0; prompt < 3; prompt++) {
                String text = Fixtures.json(Fixtures.goldenDir(model).resolve("prompt" + prompt + ".json")).get("prompt").asText();
                LogitLens.Request request = new LogitLens.Request(text, 1, false);
                LensResult a = LogitLens.run(f32, request, layer -> {});
                LensResult b = LogitLens.run(h, request, layer -> {});
                assertEquals(dtype, b.dtype());
                for (int l = 0; l < a.layers().size(); l++) {
                    List<LensResult.Position> pa = a.layers().get(l).positions();
                    List<LensResult.Position> pb = b.layers().get(l).positions();
                    for (int i = 0; i < pa.size(); i++) {
                        cells++;
                        same += pa.get(i).top().get(0).id() == pb.get(i).top().get(0).id() ? 1 : 0;
                        maxKl = Math.max(maxKl, Math.abs(pa.get(i).klFinal() - pb.get(i).klFinal()));
                    }
                }
            }
        }
        double agreement = (double) same / cells;
        System.out.printf("%s %s: top-1 agreement %.4f over %d cells, max |dKL| %.2e%n", model, dtype, agreement, cells, maxKl);
        assertTrue(agreement >= (half == Dtype.BFLOAT16 ? TOP1_BF16 : TOP1_F16), model + " " + dtype + ": top-1 agreement " + agreement);
        assertTrue(maxKl <= (half == Dtype.BFLOAT16 ? KL_BF16 : KL_F16), model + " " + dtype + ": max |dKL| " + maxKl);
    }

    /** What a float32 model's norm gains and biases take: they stay float32 in every dtype. */
    private static double vectorBytes(LoadedModel m) {
        var c = m.config();
        long d = c.dModel();
        long vectors = switch (c.architecture()) {
            case GPT2 -> c.nLayers() * (2 * d + 3 * d + d + 2 * d + c.dMlp() + d) + 2 * d;
            case LLAMA -> c.nLayers() * 2 * d + d;
            case VIT -> throw new IllegalArgumentException("ViTs are held in float32 only");
        };
        return 4.0 * vectors;
    }
}
