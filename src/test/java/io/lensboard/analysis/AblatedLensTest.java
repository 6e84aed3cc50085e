package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lens of a pass with components ablated (issue 24 item 4): against src/test/resources/golden-ablation, written in
 * float64 by src/test/python/ablation_golden.py (an independent PyTorch implementation), within 1e-4 absolute on each
 * row's log p(next token) and entropy; ablating nothing is the plain lens bit for bit; removing block l's MLP leaves
 * every row up to block l's hook_resid_mid as it was.
 */
class AblatedLensTest {
    private static final double TOLERANCE = 1e-4;
    private static final String PROMPT = "The cat sat on the mat because it was warm.";

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gpt2-tiny, gpt2-tiny", "stories260K/hf, stories260K"})
    void zeroAndMeanAblatedLensMatchTorch(String model, String golden) {
        JsonNode g = Fixtures.json(Path.of("src/test/resources/golden-ablation", golden + ".json"));
        List<String> names = new java.util.ArrayList<>();
        g.get("ablate").forEach(n -> names.add(n.asText()));
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu())) {
            long[] ids = LogitLens.tokenize(m, new LogitLens.Request(g.get("prompt").asText(), 1, false));
            long[] expected = new long[g.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = g.get("ids").get(i).asLong();
            }
            assertArrayEquals(expected, ids, "the golden's tokens");
            for (String mode : List.of("none", "zero", "mean")) {
                Ablation a = mode.equals("none") ? Ablation.NONE : Ablation.parse(String.join(",", names), mode);
                LensResult r = LogitLens.run(m, new LogitLens.Request(g.get("prompt").asText(), 1, false, a), ids, layer -> {});
                JsonNode rows = g.get("lens").get(mode);
                assertEquals(rows.size(), r.layers().size(), "rows 0..L");
                for (int l = 0; l < rows.size(); l++) {
                    List<LensResult.Position> positions = r.layers().get(l).positions();
                    for (int i = 0; i < positions.size(); i++) {
                        String where = model + " " + mode + " row " + l + " position " + i;
                        assertEquals(rows.get(l).get("entropy").get(i).asDouble(), positions.get(i).entropy(), TOLERANCE, "entropy at " + where);
                        if (i + 1 < positions.size()) {
                            assertEquals(rows.get(l).get("log_prob_next").get(i).asDouble(), positions.get(i).logProbNextToken(), TOLERANCE,
                                    "log p(next) at " + where);
                        }
                    }
                }
                assertEquals(mode.equals("none") ? null : a, r.ablation(), "the result names its ablation");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void ablatingNothingIsThePlainLensBitForBit(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu())) {
            LensResult plain = LogitLens.run(m, new LogitLens.Request(PROMPT, 5, true), layer -> {});
            LensResult nothing = LogitLens.run(m, new LogitLens.Request(PROMPT, 5, true, Ablation.parse(" ", "mean")), layer -> {});
            assertEquals(plain, nothing);
            assertNull(nothing.ablation());
        }
    }

    /**
     * Rows 0..l and block l's hook_resid_mid come before block l's MLP, so they are what they were; from block l's
     * hook_resid_post on they differ. A row's KL to the final row and its rank of the final top-1 compare it with the
     * last row, which the ablation changes, so only the row's own values are compared.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void ablatingBlockMlpLeavesEarlierRowsUnchanged(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu())) {
            LensResult plain = LogitLens.run(m, new LogitLens.Request(PROMPT, 5, true), layer -> {});
            for (String mode : List.of(Ablation.ZERO, Ablation.MEAN)) {
                for (int l = 0; l < m.config().nLayers(); l++) {
                    Ablation a = Ablation.parse("blocks." + l + ".hook_mlp_out", mode);
                    LensResult ablated = LogitLens.run(m, new LogitLens.Request(PROMPT, 5, true, a), layer -> {});
                    for (int r = 0; r < plain.layers().size(); r++) {
                        LensResult.Layer before = plain.layers().get(r);
                        LensResult.Layer after = ablated.layers().get(r);
                        String where = model + " " + mode + " " + a.ablate() + " row " + before.hook();
                        if (before.layer().doubleValue() <= l + 0.5) {
                            assertEquals(own(before), own(after), where);
                        } else if (before.layer().doubleValue() == l + 1) {
                            assertNotEquals(own(before), own(after), where);
                        }
                    }
                }
            }
        }
    }

    /**
     * In bfloat16 and float16 the ablation acts where it does in float32: rows before block 1 unchanged, the output
     * changed, and the ablated output's log p(next token) within 0.05 nats (mean over positions) of float32's.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"gpt2-tiny, bfloat16", "llama-tiny, float16"})
    void halfPrecisionAblationActsAsInFloat32(String model, String dtype) {
        Ablation a = Ablation.parse("blocks.1.attn.hook_result.0,blocks.2.hook_mlp_out", Ablation.MEAN);
        try (LoadedModel f32 = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu());
             LoadedModel half = ModelLoader.load(model, Fixtures.dir(model), null, io.lensboard.model.Dtype.parse(dtype), Device.cpu(),
                     io.lensboard.model.LoadProgress.NONE)) {
            LensResult plain = LogitLens.run(half, new LogitLens.Request(PROMPT, 3, false), layer -> {});
            LensResult ablated = LogitLens.run(half, new LogitLens.Request(PROMPT, 3, false, a), layer -> {});
            LensResult reference = LogitLens.run(f32, new LogitLens.Request(PROMPT, 3, false, a), layer -> {});
            for (int r = 0; r <= 1; r++) {
                assertEquals(own(plain.layers().get(r)), own(ablated.layers().get(r)), model + " " + dtype + " row " + r);
            }
            int last = plain.layers().size() - 1;
            assertNotEquals(own(plain.layers().get(last)), own(ablated.layers().get(last)));
            List<LensResult.Position> h = ablated.layers().get(last).positions();
            List<LensResult.Position> f = reference.layers().get(last).positions();
            double gap = 0;
            for (int i = 0; i + 1 < h.size(); i++) {
                gap += Math.abs(h.get(i).logProbNextToken() - f.get(i).logProbNextToken()) / (h.size() - 1);
            }
            assertTrue(gap < 0.05, model + " " + dtype + ": mean |Δ log p(next)| " + gap);
        }
    }

    /** A tuned lens decodes the same ablated pass: with zero translators it is the ablated logit lens, number for number. */
    @Test
    void tunedLensDecodesTheAblatedPass() {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            int d = m.config().dModel();
            int layers = m.config().nLayers();
            io.lensboard.model.TunedLensWeights zero = new io.lensboard.model.TunedLensWeights("zero", d, layers, "gpt2-tiny",
                    "linear_tuned_lens", java.util.Collections.nCopies(layers, new float[d * d]), java.util.Collections.nCopies(layers, new float[d]));
            LogitLens.Request request = new LogitLens.Request(PROMPT, 3, false, Ablation.parse("blocks.0.hook_mlp_out", Ablation.MEAN));
            long[] ids = LogitLens.tokenize(m, request);
            LensResult logit = LogitLens.run(m, request, ids, layer -> {});
            LensResult tuned = LogitLens.run(m, request, ids, zero, layer -> {});
            assertEquals(logit.layers(), tuned.layers());
            assertEquals(request.ablation(), tuned.ablation());
            assertNotEquals(LogitLens.run(m, new LogitLens.Request(PROMPT, 3, false), ids, zero, layer -> {}).layers(), tuned.layers());
        }
    }

    /** A row's values that depend on its own residual stream only. */
    private static List<Object> own(LensResult.Layer layer) {
        return layer.positions().stream().<Object>map(p -> List.of(p.top(), p.entropy(), p.klInput(), p.rankInputToken(),
                String.valueOf(p.rankNextToken()), String.valueOf(p.logProbNextToken()))).toList();
    }

    @Test
    void parsesComponentsInOneCanonicalOrder() {
        Ablation a = Ablation.parse(" blocks.2.hook_mlp_out,blocks.0.attn.hook_result.3 ,blocks.2.hook_attn_out,blocks.0.attn.hook_result.3", null);
        assertEquals(List.of("blocks.0.attn.hook_result.3", "blocks.2.hook_attn_out", "blocks.2.hook_mlp_out"), a.components());
        assertEquals(Ablation.ZERO, a.mode());
        assertEquals(a, Ablation.parse("blocks.2.hook_attn_out,blocks.2.hook_mlp_out,blocks.0.attn.hook_result.3", "zero"));
        assertEquals(a, Ablation.fromText(a.text()));
        assertEquals(Ablation.NONE, Ablation.parse("", "mean"), "nothing removed is one key whatever the mode");
        assertEquals(Ablation.NONE, Ablation.fromText(""));
    }

    @Test
    void refusesUnknownComponentsNamingThemAndTheForms() {
        for (String bad : List.of("blocks.0.hook_resid_post", "blocks.x.hook_mlp_out", "blocks.01.hook_mlp_out", "mlp", "blocks.0.attn.hook_result",
                "blocks.0.hook_mlp_out,", "blocks.-1.hook_mlp_out")) {
            String message = assertThrows(InvalidInputException.class, () -> Ablation.parse(bad, null), bad).getMessage();
            assertTrue(message.contains("blocks.{l}.attn.hook_result.{h}"), message);
        }
        String message = assertThrows(InvalidInputException.class, () -> Ablation.parse("blocks.0.hook_mlp_out", "half")).getMessage();
        assertEquals("ablation must be zero or mean, got 'half'", message);
        String many = String.join(",", java.util.Collections.nCopies(Ablation.MAX_COMPONENTS + 1, "blocks.0.hook_mlp_out"));
        assertTrue(assertThrows(InvalidInputException.class, () -> Ablation.parse(many, null)).getMessage().contains("more than 512"));
    }

    @Test
    void refusesBlocksAndHeadsPastTheModel() {
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            String block = assertThrows(InvalidInputException.class, () -> LogitLens.tokenize(m,
                    new LogitLens.Request(PROMPT, 5, false, Ablation.parse("blocks.4.hook_mlp_out", null)))).getMessage();
            assertEquals("ablate: blocks.4.hook_mlp_out: block 4 is past the model's blocks 0..3 (valid: blocks.{l}.hook_mlp_out,"
                    + " blocks.{l}.hook_attn_out or blocks.{l}.attn.hook_result.{h})", block);
            String head = assertThrows(InvalidInputException.class, () -> LogitLens.tokenize(m,
                    new LogitLens.Request(PROMPT, 5, false, Ablation.parse("blocks.3.attn.hook_result.4", null)))).getMessage();
            assertTrue(head.startsWith("ablate: blocks.3.attn.hook_result.4: head 4 is past the model's heads 0..3"), head);
        }
    }
}
