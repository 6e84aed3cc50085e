package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.model.Dtype;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Direct logit attribution against the definition: the float64 goldens of src/test/python/attribution_golden.py (an
 * independent PyTorch implementation, not this code) within {@link #GOLDEN}, Σ contributions + bias = the logit, and
 * that logit being the one the lens reports for the cell.
 */
class LogitAttributionTest {

    /** float32 here against float64 there, on logits of magnitude up to about 20. */
    private static final double GOLDEN = 1e-4;
    /** The float32 sum of up to 46 float32 contributions against the lens's float32 logit. */
    private static final double SUM = 1e-4;
    private static final String PROMPT = "The cat was happy. The cat";

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "stories260K/hf"})
    void matchesTheFloat64GoldenFromTheDefinition(String model) {
        JsonNode golden = Fixtures.json(java.nio.file.Path.of("src/test/resources/golden-attribution",
                model.replace('/', '-') + ".json"));
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu())) {
            long[] ids = m.tokenizer().encode(golden.get("prompt").asText());
            assertArrayEquals(longs(golden.get("ids")), ids, "the golden's token ids are the tokenizer's");
            for (JsonNode cell : golden.get("cells")) {
                String where = model + " pos " + cell.get("pos") + " layer " + cell.get("layer");
                LogitAttribution.Result r = LogitAttribution.run(m, new LogitAttribution.Request(golden.get("prompt").asText(),
                        cell.get("pos").asInt(), cell.get("token").asText(), cell.get("against").isNull() ? null
                        : cell.get("against").asText(), cell.get("layer").asInt(), golden.get("topk").asInt()));
                assertEquals(cell.get("token").asLong(), r.token().id(), where);
                assertEquals(cell.get("logit").asDouble(), r.logit(), GOLDEN, where + " logit");
                assertEquals(cell.get("bias").asDouble(), r.bias(), GOLDEN, where + " bias");
                JsonNode expected = cell.get("components");
                assertEquals(expected.size(), r.components().size(), where + " components");
                for (int i = 0; i < expected.size(); i++) {
                    JsonNode e = expected.get(i);
                    LogitAttribution.Component c = r.components().get(i);
                    String what = where + " " + e.get("name").asText();
                    assertEquals(e.get("name").asText(), c.name(), where);
                    assertEquals(e.get("layer").isNull() ? null : e.get("layer").asInt(), c.layer(), what);
                    assertEquals(e.get("head").isNull() ? null : e.get("head").asInt(), c.head(), what);
                    assertEquals(e.get("contribution").asDouble(), c.contribution(), GOLDEN, what);
                    assertTokens(e.get("promotes"), c.promotes(), what + " promotes");
                    assertTokens(e.get("suppresses"), c.suppresses(), what + " suppresses");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny", "stories260K/hf"})
    void contributionsPlusBiasAreTheLensLogitOfEveryCell(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu())) {
            LensResult lens = LogitLens.run(m, new LogitLens.Request(PROMPT, 2, false), layer -> {});
            int t = lens.tokens().size();
            for (int layer = 0; layer <= m.config().nLayers(); layer++) {
                for (int pos : new int[] {0, t - 1}) {
                    List<LensResult.TopToken> top = lens.layers().get(layer).positions().get(pos).top();
                    String where = model + " layer " + layer + " pos " + pos;
                    LogitAttribution.Result r = LogitAttribution.run(m, new LogitAttribution.Request(PROMPT, pos,
                            Long.toString(top.get(0).id()), null, layer, 3));
                    assertEquals(top.get(0).logit(), r.logit(), 1e-5, where + ": the lens's logit");
                    assertEquals(r.logit(), sum(r), SUM, where + ": Σ contributions + bias");
                    if (r.components().size() == 1) { // Llama's embeddings alone: the lens's top-1 is what they promote most
                        TokenValue first = r.components().get(0).promotes().get(0);
                        assertEquals(top.get(0).id(), first.id(), where + ": hook_embed promotes the lens's top-1");
                        assertEquals(r.components().get(0).contribution(), first.value(), 1e-5, where + ": its value is its contribution");
                    }

                    LogitAttribution.Result diff = LogitAttribution.run(m, new LogitAttribution.Request(PROMPT, pos,
                            Long.toString(top.get(0).id()), Long.toString(top.get(1).id()), layer, 3));
                    assertEquals(top.get(0).logit() - top.get(1).logit(), diff.logit(), 1e-5, where + ": the lens's difference");
                    assertEquals(diff.logit(), sum(diff), SUM, where + ": Σ contributions + bias against the second");
                    int blocks = layer;
                    int perBlock = m.config().nHeads() + 1 + (m.transformer().outputBias(0) == null ? 0 : 1);
                    int embeddings = m.transformer().outputBias(0) == null ? 1 : 2;
                    assertEquals(embeddings + blocks * perBlock, r.components().size(), where + ": one component each");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bfloat16", "float16"})
    void aHalfPrecisionModelsSumIsItsLensLogitWithinItsRounding(String dtype) {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Dtype.parse(dtype), Device.cpu(),
                LoadProgress.NONE)) {
            LogitAttribution.Result r = LogitAttribution.run(m, new LogitAttribution.Request(PROMPT, 6, " cat", null, null, 3));
            assertEquals(dtype, r.dtype());
            // the lens's logit comes from half-precision activations (bfloat16 keeps 8 bits of mantissa, about 1 part
            // in 256); the contributions are float32 sums of the same half-precision components
            assertEquals(r.logit(), sum(r), Math.max(0.05, Math.abs(r.logit()) / 64), "Σ contributions + bias");
        }
    }

    @Test
    void aTokenIsAnIdOrTheTextOfExactlyOneToken() {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            assertEquals(3797, run(m, " cat", null).token().id());
            assertEquals(" cat", run(m, "3797", null).token().text());
            assertEquals(383, run(m, " cat", " The").against().id());
            assertNull(run(m, " cat", null).against());
            InvalidInputException many = assertThrows(InvalidInputException.class, () -> run(m, " the cat", null));
            assertTrue(many.getMessage().contains("token ' the cat' is 2 tokens, not one: ' the' (262), ' cat' (3797)"),
                    many.getMessage());
            InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> run(m, " cat", "50257"));
            assertTrue(unknown.getMessage().contains("against 50257 is not a token id of this model"), unknown.getMessage());
        }
    }

    private static LogitAttribution.Result run(LoadedModel m, String token, String against) {
        return LogitAttribution.run(m, new LogitAttribution.Request(PROMPT, 6, token, against, 2, 1));
    }

    /** Σ contributions + bias. */
    private static double sum(LogitAttribution.Result r) {
        return r.bias() + r.components().stream().mapToDouble(LogitAttribution.Component::contribution).sum();
    }

    /** The values within the tolerance; the ids where the golden's neighbours are apart (a near-tie may swap them). */
    private static void assertTokens(JsonNode expected, List<TokenValue> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int j = 0; j < expected.size(); j++) {
            assertEquals(expected.get(j).get("value").asDouble(), actual.get(j).value(), GOLDEN, what + " #" + j);
            double value = expected.get(j).get("value").asDouble();
            boolean apart = (j == 0 || Math.abs(expected.get(j - 1).get("value").asDouble() - value) > 1e-3)
                    && (j + 1 == expected.size() || Math.abs(expected.get(j + 1).get("value").asDouble() - value) > 1e-3);
            if (apart) {
                assertEquals(expected.get(j).get("id").asLong(), actual.get(j).id(), what + " #" + j);
            }
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
