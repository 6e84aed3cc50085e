package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lensboard.Fixtures;
import io.lensboard.model.pool.ModelLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The forward pass's contract for later analyses: hook names, truncation, norm and head switches. */
class ForwardSpecTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void capturesActivationsUnderTransformerLensNames(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu()); NDManager s = m.newScope()) {
            Transformer tf = m.transformer();
            long[] ids = m.tokenizer().encode("The sky is blue.");
            ActivationCache cache = ActivationCache.all();
            NDArray logits = tf.forward(tf.embed(s.create(ids).reshape(1, ids.length)), Forward.full(m.config()), cache);

            List<String> expected = new ArrayList<>(List.of("hook_embed"));
            if (m.config().architecture() == ModelConfig.Architecture.GPT2) {
                expected.add("hook_pos_embed");
            }
            for (int l = 0; l < m.config().nLayers(); l++) {
                for (String hook : List.of("hook_resid_pre", "attn.hook_k", "attn.hook_v", "attn.hook_pattern", "attn.hook_result", "hook_attn_out", "hook_resid_mid",
                        "hook_mlp_out", "hook_resid_post")) {
                    expected.add("blocks." + l + "." + hook);
                }
            }
            expected.add("ln_final.hook_normalized");
            assertEquals(expected.stream().sorted().toList(), cache.asMap().keySet().stream().sorted().toList());
            Shape resid = new Shape(1, ids.length, m.config().dModel());
            cache.asMap().forEach((name, a) -> {
                if (!name.equals("hook_pos_embed") && !name.contains("attn.hook_")) {
                    assertEquals(resid, a.getShape(), name);
                }
            });
            assertEquals(new Shape(1, ids.length, m.config().vocabSize()), logits.getShape());
            // resid_post = resid_mid + mlp_out = resid_pre + attn_out + mlp_out
            NDArray rebuilt = cache.get("blocks.1.hook_resid_pre").add(cache.get("blocks.1.hook_attn_out")).add(cache.get("blocks.1.hook_mlp_out"));
            assertArrayEquals(cache.get("blocks.1.hook_resid_post").toFloatArray(), rebuilt.toFloatArray(), 1e-5f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void truncatedForwardStopsAfterBlockWithOrWithoutNormAndHead(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu()); NDManager s = m.newScope()) {
            Transformer tf = m.transformer();
            long[] ids = m.tokenizer().encode("hello there");
            NDArray e = tf.embed(s.create(ids).reshape(1, ids.length));
            ActivationCache full = ActivationCache.all();
            tf.forward(e, Forward.full(m.config()), full);

            NDArray afterTwo = tf.forward(e, Forward.residualAfter(2), ActivationCache.none());
            assertArrayEquals(full.get("blocks.1.hook_resid_post").toFloatArray(), afterTwo.toFloatArray(), 0f);
            NDArray normed = tf.forward(e, new Forward(2, true, false), ActivationCache.none());
            assertArrayEquals(tf.finalNorm(afterTwo).toFloatArray(), normed.toFloatArray(), 0f);
            NDArray headed = tf.forward(e, new Forward(2, true, true), ActivationCache.none());
            assertArrayEquals(tf.unembed(tf.finalNorm(afterTwo)).toFloatArray(), headed.toFloatArray(), 0f);
            NDArray headOnly = tf.forward(e, new Forward(2, false, true), ActivationCache.none());
            assertArrayEquals(tf.unembed(afterTwo).toFloatArray(), headOnly.toFloatArray(), 0f);
            assertThrows(IllegalArgumentException.class, () -> tf.forward(e, Forward.residualAfter(m.config().nLayers() + 1), ActivationCache.none()));
        }
    }

    /**
     * Continuing a prefix from its keys and values (Transformer.Past) gives the residual stream the full pass
     * gives at the new positions, for a batch of different continuations: how greedy search scores candidates.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void continuingFromAPastMatchesTheFullPass(String model) {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu()); NDManager s = m.newScope()) {
            Transformer tf = m.transformer();
            long[] prefix = m.tokenizer().encode("The sky is");
            long[][] continuations = {{4171, 13}, {2266, 318}, {257, 1110}};
            int blocks = m.config().nLayers();
            Transformer.Past past = tf.past(tf.embed(s.create(prefix).reshape(1, prefix.length)), blocks);
            long[] flat = new long[continuations.length * 2];
            for (int b = 0; b < continuations.length; b++) {
                System.arraycopy(continuations[b], 0, flat, 2 * b, 2);
            }
            NDArray continued = tf.forward(tf.embed(s.create(flat).reshape(continuations.length, 2)), Forward.residualAfter(blocks),
                    ActivationCache.none(), past);
            for (int b = 0; b < continuations.length; b++) {
                long[] whole = java.util.stream.LongStream.concat(java.util.Arrays.stream(prefix), java.util.Arrays.stream(continuations[b])).toArray();
                NDArray full = tf.forward(tf.embed(s.create(whole).reshape(1, whole.length)), Forward.residualAfter(blocks), ActivationCache.none());
                assertArrayEquals(full.get("0, {}:", prefix.length).toFloatArray(), continued.get(b).toFloatArray(), 1e-4f,
                        model + " continuation " + b);
            }
        }
    }
}
