package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.analysis.ActivationPatching.Request;
import io.lensboard.analysis.ActivationPatching.Row;
import io.lensboard.analysis.ActivationPatching.Site;
import io.lensboard.model.Dtype;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Activation patching from its definition: a patch where the prompts agree changes nothing (normalised exactly 0),
 * patching the one position where they differ at block 0's resid_pre gives the clean run (normalised 1), and the
 * batched pass per layer agrees with one plain forward pass per cell.
 */
class ActivationPatchingTest {

    static final String CLEAN = "The cat was happy. The cat";
    static final String CORRUPTED = "The dog was happy. The dog";

    /** Prompts that differ in one token: " cat"/" dog" in GPT-2's vocabulary; stories260K spells both animals in two pieces. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "gpt2-tiny|The cat was happy.|The dog was happy.|' The'|' It'",
            "stories260K/hf|He was happy.|She was happy.|The|He"})
    void patchingBlockZeroWhereThePromptsAgreeChangesNothingAndWhereTheyDifferGivesTheCleanRun(String name, String cleanText,
            String corruptedText, String answer, String wrong) {
        try (LoadedModel m = ModelLoader.load(name, Fixtures.dir(name), null, Device.cpu())) {
            LensTokenizer tok = m.tokenizer();
            long[] clean = tok.encode(cleanText);
            long[] corrupted = tok.encode(corruptedText);
            int differing = onlyDifference(clean, corrupted);
            Request r = new Request(clean, corrupted, SingleTokens.resolve(tok, answer, "answer"), SingleTokens.resolve(tok, wrong, "wrong"),
                    Site.RESID_PRE, new int[] {0});
            try (ActivationPatching p = new ActivationPatching(m, r)) {
                assertNotEquals(p.cleanMetric(), p.corruptedMetric());
                Row row = p.next();
                for (int pos = 0; pos < clean.length; pos++) {
                    double normalized = p.normalized(row.metric()[pos]);
                    if (pos == differing) {
                        assertEquals(p.cleanMetric(), row.metric()[pos], 1e-5, "the patched run is the clean run");
                        assertEquals(1.0, normalized, 1e-4);
                    } else {
                        assertEquals(0.0, normalized, 0.0, "position " + pos + " agrees, so patching it changes nothing");
                    }
                }
                assertTrue(p.finished());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resid_pre", "attn_out", "mlp_out", "head"})
    void theBatchedPassPerLayerAgreesWithOneForwardPerCell(String site) {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            Request r = request(m, Site.of(site));
            try (ActivationPatching p = new ActivationPatching(m, r)) {
                while (!p.finished()) {
                    Row row = p.next();
                    if (row.layer() != 0 && row.layer() != m.config().nLayers() - 1) {
                        continue; // the first and the last block are enough to tell, and one forward per cell is slow
                    }
                    double[] plain = IntStream.range(0, p.columns()).mapToDouble(c -> p.unbatchedCell(row.index(), c)).toArray();
                    assertArrayEquals(plain, row.metric(), 1e-4, site + " at block " + row.layer());
                }
            }
        }
    }

    /**
     * The patching holds what its rows need, three activations per patched layer (the clean and the corrupted site and
     * the corrupted resid_pre), not the two prompts' whole runs; and a layer's row frees what its passes made.
     */
    @ParameterizedTest
    @ValueSource(strings = {"resid_pre", "attn_out", "mlp_out", "head"})
    void holdsOnlyWhatItsRowsNeedAndARowLeavesNoArraysBehind(String site) {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            Request r = request(m, Site.of(site));
            try (ActivationPatching p = new ActivationPatching(m, r)) {
                int held = p.heldArrays();
                assertTrue(held <= 3 * r.layers().length, site + ": " + held + " arrays held for " + r.layers().length + " layers");
                while (!p.finished()) {
                    Row row = p.next();
                    assertEquals(held, p.heldArrays(), site + ": arrays held after block " + row.layer() + "'s row");
                }
            }
        }
    }

    /**
     * Half precision: the head site's batched rows (attention once, then B rows) against one pass per cell that patches
     * hook_result itself, on llama-tiny (grouped-query attention) held in bfloat16 and float16 (computed
     * block by block in float32 copies, so the two sums' orders differ by about 1e-6 here too).
     */
    @ParameterizedTest
    @CsvSource({"bfloat16,1e-3", "float16,1e-3"})
    void theHeadSiteAgreesWithOneForwardPerCellInHalfPrecision(String dtype, double tolerance) {
        try (LoadedModel m = ModelLoader.load("llama-tiny", Fixtures.dir("llama-tiny"), null, Dtype.parse(dtype), Device.cpu(), LoadProgress.NONE)) {
            try (ActivationPatching p = new ActivationPatching(m, request(m, Site.HEAD))) {
                assertNotEquals(p.cleanMetric(), p.corruptedMetric());
                while (!p.finished()) {
                    Row row = p.next();
                    if (row.layer() != 0 && row.layer() != m.config().nLayers() - 1) {
                        continue;
                    }
                    double[] plain = IntStream.range(0, p.columns()).mapToDouble(c -> p.unbatchedCell(row.index(), c)).toArray();
                    assertArrayEquals(plain, row.metric(), tolerance, dtype + " block " + row.layer());
                }
            }
        }
    }

    /**
     * Every cell of every site against src/test/python/patching_golden.py (float64 PyTorch, each cell its own forward
     * pass of the corrupted prompt); lensboard runs in float32, hence 1e-4 on m.
     */
    @ParameterizedTest
    @CsvSource({"gpt2-tiny,gpt2-tiny", "stories260K/hf,stories260K"})
    void everyCellMatchesTheIndependentFloat64Patching(String name, String golden) throws Exception {
        JsonNode g = new ObjectMapper().readTree(getClass().getResource("/golden-patching/" + golden + ".json"));
        try (LoadedModel m = ModelLoader.load(name, Fixtures.dir(name), null, Device.cpu())) {
            for (Site site : Site.values()) {
                int[] layers = IntStream.range(0, m.config().nLayers()).toArray();
                Request r = new Request(ids(g.get("clean")), ids(g.get("corrupted")), g.get("answer").asLong(), g.get("wrong").asLong(), site, layers);
                try (ActivationPatching p = new ActivationPatching(m, r)) {
                    assertEquals(g.get("clean_metric").asDouble(), p.cleanMetric(), 1e-4);
                    assertEquals(g.get("corrupted_metric").asDouble(), p.corruptedMetric(), 1e-4);
                    JsonNode grid = g.get("grids").get(site.id());
                    while (!p.finished()) {
                        Row row = p.next();
                        double[] expected = new double[grid.get(row.index()).size()];
                        Arrays.setAll(expected, c -> grid.get(row.index()).get(c).asDouble());
                        assertArrayEquals(expected, row.metric(), 1e-4, name + " " + site.id() + " block " + row.layer());
                    }
                }
            }
        }
    }

    @Test
    void rerunsAreBitIdentical() {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            assertEquals(grid(m, Site.HEAD), grid(m, Site.HEAD));
            assertEquals(grid(m, Site.MLP_OUT), grid(m, Site.MLP_OUT));
        }
    }

    @Test
    void refusesPromptsOfDifferentLengthsNamingBoth() {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            LensTokenizer tok = m.tokenizer();
            Request r = new Request(tok.encode("The cat"), tok.encode("The big dog"), 1, 2, Site.RESID_PRE, new int[] {0});
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> new ActivationPatching(m, r));
            assertTrue(e.getMessage().contains("2 tokens") && e.getMessage().contains("3 tokens"), e.getMessage());
        }
    }

    static Request request(LoadedModel m, Site site) {
        LensTokenizer tok = m.tokenizer();
        int[] layers = IntStream.range(0, m.config().nLayers()).toArray();
        return new Request(tok.encode(CLEAN), tok.encode(CORRUPTED), SingleTokens.resolve(tok, " was", "answer"),
                SingleTokens.resolve(tok, " is", "wrong"), site, layers);
    }

    private static List<List<Double>> grid(LoadedModel m, Site site) {
        List<List<Double>> rows = new ArrayList<>();
        try (ActivationPatching p = new ActivationPatching(m, request(m, site))) {
            while (!p.finished()) {
                rows.add(Arrays.stream(p.next().metric()).boxed().toList());
            }
        }
        return rows;
    }

    private static long[] ids(JsonNode array) {
        long[] ids = new long[array.size()];
        Arrays.setAll(ids, i -> array.get(i).asLong());
        return ids;
    }

    private static int onlyDifference(long[] a, long[] b) {
        assertEquals(a.length, b.length, "the prompts must tokenize to the same length");
        int[] diff = IntStream.range(0, a.length).filter(i -> a[i] != b[i]).toArray();
        assertEquals(1, diff.length, "the prompts must differ in one position");
        return diff[0];
    }
}
