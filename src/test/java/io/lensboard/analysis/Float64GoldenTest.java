package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import io.lensboard.model.pool.ModelLoader;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * precision=float64 computes the float64 function: every residual stream, the final logits and the input gradient
 * of a float64 pass against src/test/resources/golden64, which an independent float64 PyTorch implementation
 * (src/test/python/float64_golden.py, from the papers' definitions) computed from the fixtures' weights. Relative
 * error of an array: max |lensboard - golden| / max |golden| over its elements, held to 1e-12. A float32-rounded
 * constant (gelu_new's 0.044715f, sqrt(d_head) as a float, a float epsilon) shows as about 1e-9.
 */
class Float64GoldenTest {
    private static final double TOLERANCE = 1e-12;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void float64ForwardAndInputGradientMatchIndependentFloat64(String model) {
        JsonNode golden = Fixtures.json(Path.of("src/test/resources/golden64", model + "-the-sky.json"));
        long[] ids = longs(golden.get("ids"));
        int t = ids.length;
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu());
             NDManager scope = m.newScope()) {
            int d = m.config().dModel();
            int vocab = m.config().vocabSize();
            // As a float64 sentence-representation run: W_E[ids] widened, through the network NetworkSpec builds.
            NDArray e = m.transformer().embed(scope.create(ids).reshape(1, t)).toType(DataType.FLOAT64, false);

            Transformer tf64 = m.transformer().cast(DataType.FLOAT64, scope);
            ActivationCache cache = ActivationCache.all();
            tf64.forward(e, Forward.full(m.config()), cache);
            JsonNode residuals = golden.get("residuals");
            for (int l = 0; l < residuals.size(); l++) {
                String hook = l == 0 ? Hooks.residPre(0) : Hooks.residPost(l - 1);
                NDArray r = cache.get(hook);
                assertEquals(DataType.FLOAT64, r.getDataType(), hook);
                assertClose(hook, flatten(residuals.get(l)), r.toDoubleArray());
            }

            NetworkSpec spec = new NetworkSpec(Network.TRANSFORMER, m.config().nLayers(), true, true, 0, Precision.FLOAT64);
            TargetNetwork network = spec.build(m, t, scope);
            // loss = sum over t < T-1 of (logsumexp(z_t) - z_t[ids[t+1]]), as the golden script states
            double[] nextToken = new double[t * vocab];
            for (int p = 0; p + 1 < t; p++) {
                nextToken[p * vocab + (int) ids[p + 1]] = 1;
            }
            NDArray x = e.duplicate();
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = network.output(x);
                assertEquals(DataType.FLOAT64, logits.getDataType());
                NDArray loss = logits.logSoftmax(-1).mul(scope.create(nextToken, new Shape(1, t, vocab))).sum().neg();
                gc.backward(loss);
                double lossValue = loss.getDouble();
                assertEquals(0, Math.abs(lossValue - golden.get("loss").asDouble()) / Math.abs(lossValue), TOLERANCE, "loss");

                double[] z = logits.stopGradient().toDoubleArray();
                long[] logitIds = longs(golden.get("logit_ids"));
                double[] picked = new double[t * logitIds.length];
                for (int p = 0; p < t; p++) {
                    for (int j = 0; j < logitIds.length; j++) {
                        picked[p * logitIds.length + j] = z[p * vocab + (int) logitIds[j]];
                    }
                }
                assertClose("logits", flatten(golden.get("logits")), picked);
                NDArray lse = logits.stopGradient().exp().sum(new int[] {-1}).log();
                assertClose("logsumexp", flatten(golden.get("logsumexp")), lse.toDoubleArray());
                assertClose("d loss / d e", flatten(golden.get("input_gradient")), x.getGradient().toDoubleArray());
            }
            assertEquals(t * d, flatten(golden.get("input_gradient")).length);
        }
    }

    /** max |actual - expected| / max |expected| <= 1e-12, printed so the README's figure can be checked. */
    private static void assertClose(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        double error = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            error = Math.max(error, Math.abs(actual[i] - expected[i]));
        }
        double relative = error / scale;
        System.out.printf("float64 golden %s: max relative error %.3g%n", what, relative);
        assertTrue(relative <= TOLERANCE, what + ": relative error " + relative + " > " + TOLERANCE);
    }

    private static double[] flatten(JsonNode nested) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        collect(nested, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(JsonNode node, java.util.List<Double> out) {
        if (node.isArray()) {
            node.forEach(child -> collect(child, out));
        } else {
            out.add(node.asDouble());
        }
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
