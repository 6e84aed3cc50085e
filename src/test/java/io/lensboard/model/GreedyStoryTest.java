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
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * stories260K's greedy continuation from BOS, as Karpathy published it (hf/golden/greedy256.json), from each of
 * its three forms: Hugging Face layout, GGUF and llama2.c.
 */
class GreedyStoryTest {

    @ParameterizedTest
    @FieldSource("io.lensboard.Fixtures#STORIES")
    void reproducesPublishedGreedyStory(String form) {
        Path dir = Fixtures.path(form);
        JsonNode golden = Fixtures.json(Fixtures.goldenDir(form).resolve("greedy256.json"));
        long[] expected = new long[golden.get("greedy_ids").size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = golden.get("greedy_ids").get(i).asLong();
        }
        try (LoadedModel m = ModelLoader.load("stories260K", dir, null, Device.cpu())) {
            long[] ids = new long[1 + expected.length];
            ids[0] = golden.get("prompt_ids").get(0).asLong();
            for (int n = 1; n < ids.length; n++) {
                try (NDManager step = m.newScope()) {
                    NDArray logits = m.transformer().logits(step.create(Arrays.copyOf(ids, n)).reshape(1, n));
                    ids[n] = logits.get("0, -1").argMax().getLong();
                }
            }
            long[] generated = Arrays.copyOfRange(ids, 1, ids.length);
            assertArrayEquals(expected, generated, "greedy token ids");
            assertEquals(golden.get("text").asText(), m.tokenizer().decode(generated), "greedy text");
        }
    }
}
