package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hub configs of issue 26 (item 5) that answered 500 or 503 or tried a 13 GB allocation: each is refused at parse
 * (a CheckpointException, 422) with a message naming the field, its range or the fields that disagree.
 */
class ConfigLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void refusesGpt2FieldsOutOfRange() throws IOException {
        refused(gpt2(c -> c.put("n_head", 0)), "n_head must be from 1 to 64, got 0");
        refused(gpt2(c -> c.put("n_embd", -64)), "n_embd must be from 1 to 32768, got -64");
        refused(gpt2(c -> c.put("n_layer", 0)), "n_layer must be from 1 to 1024, got 0");
        refused(gpt2(c -> c.put("n_embd", 65536)), "n_embd must be from 1 to 32768, got 65536");
        refused(gpt2(c -> c.put("vocab_size", Integer.MAX_VALUE)), "vocab_size must be from 1 to 1048576, got 2147483647");
        refused(gpt2(c -> c.put("n_positions", 0)), "n_positions must be from 1 to 1048576, got 0");
        refused(gpt2(c -> c.put("layer_norm_epsilon", -1.0)), "layer_norm_epsilon must be from 0 to below 1, got -1.0");
        refused(gpt2(c -> c.put("bos_token_id", 60000)), "bos_token_id 60000 is not a token of a vocabulary of 50257");
    }

    @Test
    void refusesNumbersThatAreNotWholeOrOverflowAnInt() throws IOException {
        refused(gpt2(c -> c.put("n_embd", 1e10)), "'n_embd' must be a whole number below 2^31, got 1.0E10");
        refused(gpt2(c -> c.put("n_layer", 2.5)), "'n_layer' must be a whole number below 2^31, got 2.5");
        refused(gpt2(c -> c.put("n_positions", 1L << 32)), "'n_positions' must be a whole number below 2^31, got 4294967296");
    }

    @Test
    void refusesFieldsThatDisagree() throws IOException {
        refused(gpt2(c -> c.put("n_head", 3)), "hidden size 64 is not divisible by 3 heads");
        refused(llama(c -> c.put("num_key_value_heads", 3)), "8 heads cannot share 3 key/value heads");
        refused(llama(c -> c.put("num_key_value_heads", 16)), "num_key_value_heads must be from 1 to 8, got 16");
        refused(llama(c -> c.put("rope_theta", 0.0)), "rope_theta must be a positive number, got 0.0");
        // each field in range, but one tensor of 1,048,576 × 32,768 elements cannot be one array
        refused(gpt2(c -> c.put("vocab_size", 1 << 20).put("n_embd", 1 << 15).put("n_head", 1)),
                "vocab_size × n_embd (the embedding) makes a tensor of 34359738368 elements");
    }

    @Test
    void readsTheFixturesConfigsAndTheirBytesByDtype() {
        ModelConfig c = ModelConfig.read(Path.of("../shared/fixtures/llama-7b-shape/config.json"));
        assertEquals(c.parameterBytes() / 2, c.parameterBytes(Dtype.BFLOAT16), "bfloat16 holds half the float32 bytes");
        assertTrue(c.parameterBytes() > 27_000_000_000L, "Llama-2-7B's shape is about 27.5 GB in float32: " + c.parameterBytes());
        assertEquals(64, ModelConfig.read(Path.of("../shared/fixtures/gpt2-tiny/config.json")).dModel());
    }

    private void refused(Path config, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelConfig.read(config));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private Path gpt2(Consumer<ObjectNode> change) throws IOException {
        return write("gpt2-tiny", change);
    }

    private Path llama(Consumer<ObjectNode> change) throws IOException {
        return write("llama-tiny", change);
    }

    private int written;

    /** The fixture's config.json with {@code change} made, in a directory of its own. */
    private Path write(String fixture, Consumer<ObjectNode> change) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(Path.of("../shared/fixtures", fixture, "config.json").toFile());
        change.accept(c);
        Path file = Files.createDirectories(dir.resolve("m" + written++)).resolve("config.json");
        JSON.writeValue(file.toFile(), c);
        return file;
    }
}
