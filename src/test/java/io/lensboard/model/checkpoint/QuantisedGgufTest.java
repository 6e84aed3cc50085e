package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quantised GGUF end to end: a Llama of width 256 (so rows are whole Q4_K super-blocks) with seeded random weights
 * and stories260K's vocabulary, its matrices written in Q4_K (token embedding in Q8_0) by the test's GgufWriter, which
 * also writes, in F32, the values it encoded. Loaded through the model pool's loader, the quantised file must give the
 * logits of that float model: the reader's dequantisation is exact, the only loss is the quantisation itself.
 */
class QuantisedGgufTest {
    private static final int D = 256;
    private static final int FFN = 512;
    private static final int HEADS = 8;
    private static final int KV_HEADS = 4;
    private static final int LAYERS = 2;

    /** Logits within 1e-4 of the float model of the encoded values (float32 rounding only); weights within 10% RMS of the originals. */
    @Test
    void q4kModelGivesTheLogitsOfTheValuesItEncodes(@TempDir Path tmp) throws IOException {
        GgufFile stories = GgufFile.open(Fixtures.path("stories260K/stories260K.gguf"));
        int vocab = ((List<?>) stories.require("tokenizer.ggml.tokens")).size();
        Map<String, long[]> dims = new LinkedHashMap<>();
        dims.put("token_embd.weight", new long[] {D, vocab});
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            dims.put(b + "attn_norm.weight", new long[] {D});
            dims.put(b + "attn_q.weight", new long[] {D, D});
            dims.put(b + "attn_k.weight", new long[] {D, D / HEADS * KV_HEADS});
            dims.put(b + "attn_v.weight", new long[] {D, D / HEADS * KV_HEADS});
            dims.put(b + "attn_output.weight", new long[] {D, D});
            dims.put(b + "ffn_norm.weight", new long[] {D});
            dims.put(b + "ffn_gate.weight", new long[] {D, FFN});
            dims.put(b + "ffn_up.weight", new long[] {D, FFN});
            dims.put(b + "ffn_down.weight", new long[] {FFN, D});
        }
        dims.put("output_norm.weight", new long[] {D});
        dims.put("output.weight", new long[] {D, vocab});

        GgufWriter quantised = writer(stories);
        GgufWriter encoded = writer(stories);
        Random random = new Random(17);
        double error = 0;
        double norm = 0;
        for (Map.Entry<String, long[]> t : dims.entrySet()) {
            long[] shape = t.getValue();
            float[] w = new float[(int) (shape.length == 1 ? shape[0] : shape[0] * shape[1])];
            for (int i = 0; i < w.length; i++) {
                w[i] = shape.length == 1 ? 1 + 0.1f * (float) random.nextGaussian() : 0.08f * (float) random.nextGaussian();
            }
            StoredType type = shape.length == 1 ? StoredType.F32
                    : t.getKey().equals("token_embd.weight") ? StoredType.Q8_0 : StoredType.Q4_K;
            quantised.tensor(t.getKey(), shape, w, type);
            float[] decoded = quantised.decoded(t.getKey());
            encoded.tensor(t.getKey(), shape, decoded, StoredType.F32);
            for (int i = 0; i < w.length; i++) {
                error += (decoded[i] - w[i]) * (decoded[i] - w[i]);
                norm += w[i] * w[i];
            }
        }
        Path quantFile = tmp.resolve("wide-q4_k.gguf");
        Path floatFile = tmp.resolve("wide-encoded-f32.gguf");
        quantised.write(quantFile);
        encoded.write(floatFile);
        assertEquals(StoredType.Q4_K, GgufFile.open(quantFile).tensors().get("blk.0.attn_q.weight").stored());
        double relativeRms = Math.sqrt(error / norm);
        assertTrue(relativeRms > 0.01 && relativeRms < 0.10, "Q4_K's relative RMS error on the weights: " + relativeRms);

        try (LoadedModel a = ModelLoader.load("encoded", floatFile, null, Device.cpu());
             LoadedModel b = ModelLoader.load("q4k", quantFile, null, Device.cpu());
             NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            assertEquals(D, b.config().dModel());
            long[] ids = a.tokenizer().encode("Once upon a time, there was a little girl named Lily. She liked to play.");
            NDArray la = a.transformer().logits(scope.create(ids).reshape(1, ids.length));
            NDArray lb = b.transformer().logits(scope.create(ids).reshape(1, ids.length));
            float range = la.max().getFloat() - la.min().getFloat();
            float worst = la.sub(lb).abs().max().getFloat();
            System.out.printf("Q4_K file vs F32 of its encoded values: max |logit difference| %.2e, logit range %.2f;"
                    + " weights' relative RMS error %.4f%n", worst, range, relativeRms);
            assertTrue(range > 1, "the logits are not flat: " + range);
            assertTrue(worst <= 1e-4, "max |logit difference| " + worst);
            assertArrayEquals(la.argMax(-1).toLongArray(), lb.argMax(-1).toLongArray());
        }
    }

    /** The stories260K tokenizer and metadata, with the wider model's dimensions. */
    private static GgufWriter writer(GgufFile stories) {
        return new GgufWriter().metadata(stories.metadata())
                .put("llama.embedding_length", D)
                .put("llama.feed_forward_length", FFN)
                .put("llama.block_count", LAYERS)
                .put("llama.attention.head_count", HEADS)
                .put("llama.attention.head_count_kv", KV_HEADS)
                .put("llama.rope.dimension_count", D / HEADS);
    }
}
