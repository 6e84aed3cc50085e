package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.model.pool.ModelLoader;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token ids and every layer's residual stream against the goldens in ../shared/fixtures, which an
 * independent float32 PyTorch implementation computed. Tolerance: 1e-4 absolute on residuals.
 */
class ForwardPassGoldenTest {

    @ParameterizedTest(name = "{0} prompt{1}")
    @MethodSource("io.lensboard.Fixtures#goldenPrompts")
    void matchesGoldenIdsAndResiduals(String model, int prompt) {
        Path dir = Fixtures.path(model);
        JsonNode golden = Fixtures.json(Fixtures.goldenDir(model).resolve("prompt" + prompt + ".json"));
        try (LoadedModel m = ModelLoader.load(model, dir, null, Device.cpu()); NDManager scope = m.newScope()) {
            long[] ids = m.tokenizer().encode(golden.get("prompt").asText());
            long[] expectedIds = new long[golden.get("ids").size()];
            for (int i = 0; i < expectedIds.length; i++) {
                expectedIds[i] = golden.get("ids").get(i).asLong();
            }
            assertArrayEquals(expectedIds, ids, "token ids");

            ActivationCache cache = ActivationCache.all();
            NDArray idArray = scope.create(ids).reshape(1, ids.length);
            NDArray logits = m.transformer().forward(m.transformer().embed(idArray), Forward.full(m.config()), cache);
            JsonNode residuals = golden.get("residuals");
            for (int layer = 0; layer < residuals.size(); layer++) {
                String hook = layer == 0 ? "blocks.0.hook_resid_pre" : "blocks." + (layer - 1) + ".hook_resid_post";
                float[] actual = cache.get(hook).toFloatArray();
                int d = m.config().dModel();
                for (int pos = 0; pos < ids.length; pos++) {
                    for (int k = 0; k < d; k++) {
                        double expected = residuals.get(layer).get(pos).get(k).asDouble();
                        assertEquals(expected, actual[pos * d + k], 1e-4,
                                () -> hook + " differs at a position/dimension");
                    }
                }
            }
            float[] lse = logits.logSoftmax(-1).neg().add(logits).get("0, :, 0").toFloatArray();
            for (int pos = 0; pos < ids.length; pos++) {
                assertEquals(golden.get("final_logsumexp").get(pos).asDouble(), lse[pos], 1e-3, "logsumexp at " + pos);
            }
        }
    }
}
