package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.model.Dtype;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.checkpoint.Checkpoint;
import io.lensboard.model.pool.ModelLoader;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attention patterns against goldens written by src/test/python/attention_golden.py, an independent float64 PyTorch
 * implementation of GPT-2 and Llama (with grouped-query attention: llama-tiny and stories260K have 8 query heads over 4
 * key/value heads) on the fixtures' own prompts: every weight within 1e-5, every row summing to 1 within 1e-5, and every
 * weight above the diagonal exactly 0.
 */
class AttentionPatternsTest {
    private static final double TOLERANCE = 1e-5;

    static Stream<Arguments> goldens() {
        return Stream.of("gpt2-tiny", "llama-tiny", "stories260K").flatMap(m -> Stream.of(0, 1).map(i -> Arguments.of(m, i)));
    }

    private static LoadedModel load(String model, Dtype dtype) {
        String dir = model.equals("stories260K") ? "stories260K/hf" : model;
        return ModelLoader.load(model, Fixtures.dir(dir), null, dtype, Device.cpu(), LoadProgress.NONE);
    }

    @ParameterizedTest(name = "{0} prompt{1}")
    @MethodSource("goldens")
    void matchesTheIndependentGoldenAndIsCausalAndNormalised(String model, int prompt) {
        JsonNode golden = Fixtures.json(Path.of("src/test/resources/golden-attention", model + "-prompt" + prompt + ".json"));
        try (LoadedModel m = load(model, Dtype.FLOAT32)) {
            long[] ids = AttentionPatterns.tokenize(m, golden.get("prompt").asText());
            long[] expectedIds = IntStream.range(0, golden.get("ids").size()).mapToLong(i -> golden.get("ids").get(i).asLong()).toArray();
            assertArrayEquals(expectedIds, ids, "the tokenizer gives the golden's ids");
            AttentionPatterns.Result r = AttentionPatterns.run(m, ids);
            assertEquals(golden.get("layers").asInt(), r.layers());
            assertEquals(golden.get("heads").asInt(), r.heads());
            int t = ids.length;
            for (int l = 0; l < r.layers(); l++) {
                for (int h = 0; h < r.heads(); h++) {
                    for (int q = 0; q < t; q++) {
                        String at = model + " layer " + l + " head " + h + " query " + q;
                        float[] row = r.patterns()[l][h][q];
                        double sum = 0;
                        for (int k = 0; k < t; k++) {
                            double expected = golden.get("patterns").get(l).get(h).get(q).get(k).asDouble();
                            assertEquals(expected, row[k], TOLERANCE, at + " key " + k);
                            if (k > q) {
                                assertEquals(0f, row[k], at + " key " + k + " is in the future");
                            }
                            sum += row[k];
                        }
                        assertEquals(1.0, sum, TOLERANCE, at + ": the row's sum");
                    }
                }
            }
        }
    }

    /**
     * Half precision changes the weights' rounding, not the definition: bfloat16 (8 bits of mantissa) and float16 stay
     * within 0.05 of the float64 golden, on GPT-2 and on grouped-query Llama.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"gpt2-tiny, BFLOAT16", "gpt2-tiny, FLOAT16", "stories260K, BFLOAT16", "stories260K, FLOAT16"})
    void halfPrecisionPatternsStayNearTheGolden(String model, Dtype dtype) {
        JsonNode golden = Fixtures.json(Path.of("src/test/resources/golden-attention/" + model + "-prompt0.json"));
        try (LoadedModel m = load(model, dtype)) {
            AttentionPatterns.Result r = AttentionPatterns.run(m, AttentionPatterns.tokenize(m, golden.get("prompt").asText()));
            assertEquals(dtype.id, r.dtype());
            double worst = 0;
            for (int l = 0; l < r.layers(); l++) {
                for (int h = 0; h < r.heads(); h++) {
                    for (int q = 0; q < r.tokens().size(); q++) {
                        for (int k = 0; k < r.tokens().size(); k++) {
                            worst = Math.max(worst, Math.abs(r.patterns()[l][h][q][k] - golden.get("patterns").get(l).get(h).get(q).get(k).asDouble()));
                        }
                    }
                }
            }
            assertTrue(worst < 0.05, dtype.id + " is " + worst + " off the float64 golden");
        }
    }

    @Test
    void flatIsRowMajorLayerHeadQueryKey() {
        float[][][][] p = new float[2][3][2][2];
        p[1][2][1][0] = 7f;
        p[0][1][0][1] = 5f;
        AttentionPatterns.Result r = new AttentionPatterns.Result("m", "float32",
                java.util.List.of(new LensResult.Token(1, "a"), new LensResult.Token(2, "b")), 2, 3, p);
        float[] flat = AttentionPatterns.flat(r);
        assertEquals(2 * 3 * 2 * 2, flat.length);
        assertEquals(7f, flat[((1 * 3 + 2) * 2 + 1) * 2]);
        assertEquals(5f, flat[((0 * 3 + 1) * 2 + 0) * 2 + 1]);
    }

    @Test
    void refusesPatternsPastTheLimitNamingIt() {
        try (LoadedModel m = load("gpt2-tiny", Dtype.FLOAT32)) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> AttentionPatterns.tokenize(m, "word ".repeat(m.config().nCtx() + 5)));
            assertTrue(e.getMessage().contains("context of " + m.config().nCtx()), e.getMessage());
        }
    }

    /** gpt2-small: 12 layers × 12 heads × 170² = 4,161,600 weights fit under 2^22; 171 tokens do not. */
    @Test
    void refusesMoreWeightsThanTheLimitNamingTheLongestPromptThatFits() {
        ModelConfig small = Checkpoint.at(Fixtures.dir("gpt2-small-config")).config();
        AttentionPatterns.checkSize("gpt2-small", small, 170);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AttentionPatterns.checkSize("gpt2-small", small, 171));
        assertTrue(e.getMessage().contains("over the limit of 4194304: shorten the prompt to at most 170 tokens"), e.getMessage());
    }
}
