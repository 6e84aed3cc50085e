package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exhaustive and greedy search return exactly the tokens of golden/searches.json on every fixture model. */
class FeatureSearchGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny", "stories260K/hf"})
    void exhaustiveSearchFindsTheGoldenTopFive(String name) {
        JsonNode golden = Fixtures.json(Fixtures.dir(name).resolve("golden/searches.json"));
        try (LoadedModel m = ModelLoader.load(name, Fixtures.dir(name), null, Device.cpu())) {
            for (JsonNode g : golden.get("exhaustive")) {
                assertEquals(0, g.get("position").asInt());
                Feature f = new Feature(g.get("layer").asInt(), FeatureSlice.parse("[:, :, " + g.get("feature").asInt() + "]"));
                ExhaustiveSearch search = new ExhaustiveSearch(m, f, 4096);
                while (!search.finished()) {
                    search.next();
                }
                List<TokenValue> top = search.top(5);
                String where = name + " layer " + g.get("layer") + " feature " + g.get("feature");
                assertArrayEquals(longs(g.get("top5_ids")), top.stream().mapToLong(TokenValue::id).toArray(), where);
                for (int i = 0; i < 5; i++) {
                    double want = g.get("top5_values").get(i).asDouble();
                    assertEquals(want, top.get(i).value(), 1e-4 * Math.max(1, Math.abs(want)), where + " value " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny", "stories260K/hf"})
    void greedySearchChoosesTheGoldenTokens(String name) {
        JsonNode golden = Fixtures.json(Fixtures.dir(name).resolve("golden/searches.json"));
        try (LoadedModel m = ModelLoader.load(name, Fixtures.dir(name), null, Device.cpu())) {
            for (JsonNode g : golden.get("greedy")) {
                Feature f = new Feature(g.get("layer").asInt(), FeatureSlice.parse("[:, :, " + g.get("feature").asInt() + "]"));
                try (GreedySearch search = new GreedySearch(m, f, Feature.Read.LAST, g.get("n_tokens").asInt(), 8192)) {
                    while (!search.finished()) {
                        search.next();
                    }
                    assertArrayEquals(longs(g.get("ids")), search.ids(), name + " layer " + g.get("layer") + " feature " + g.get("feature"));
                }
            }
        }
    }

    /**
     * The write-up's check on greedy search: summing the feature over all positions chooses the same tokens
     * as reading it at the last position (in a causal model the earlier positions do not depend on the
     * candidate, so only float rounding could tell them apart); on stories260K for both golden searches.
     */
    @org.junit.jupiter.api.Test
    void summingOverPositionsChoosesTheSameTokensOnATrainedModel() {
        JsonNode golden = Fixtures.json(Fixtures.goldenDir("stories260K/hf").resolve("searches.json"));
        try (LoadedModel m = ModelLoader.load("stories260K", Fixtures.dir("stories260K/hf"), null, Device.cpu())) {
            for (JsonNode g : golden.get("greedy")) {
                Feature f = new Feature(g.get("layer").asInt(), FeatureSlice.parse("[:, :, " + g.get("feature").asInt() + "]"));
                try (GreedySearch search = new GreedySearch(m, f, Feature.Read.SUM, g.get("n_tokens").asInt(), 512)) {
                    while (!search.finished()) {
                        search.next();
                    }
                    assertArrayEquals(longs(g.get("ids")), search.ids(), "layer " + g.get("layer") + " feature " + g.get("feature"));
                }
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
