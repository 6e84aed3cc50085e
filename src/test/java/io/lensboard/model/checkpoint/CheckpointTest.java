package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.Fixtures;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint layouts lensboard reads, and the errors for those it cannot use. */
class CheckpointTest {

    @TempDir
    Path tmp;

    private Path copyOf(String fixture, boolean weights) throws IOException {
        Path src = Fixtures.dir(fixture);
        Path dir = Files.createDirectories(tmp.resolve(fixture.replace('/', '_')));
        for (String f : new String[] {"config.json", "tokenizer.json"}) {
            Files.copy(src.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (weights) {
            Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    private static float[] logits(Path dir, String prompt) {
        try (LoadedModel m = ModelLoader.load("m", dir, null, Device.cpu()); NDManager s = m.newScope()) {
            long[] ids = m.tokenizer().encode(prompt);
            return m.transformer().logits(s.create(ids).reshape(1, ids.length)).toFloatArray();
        }
    }

    @Test
    void readsShardedCheckpointsLikeSingleFiles() throws IOException {
        Path dir = copyOf("llama-tiny", false);
        Map<String, SafetensorsFiles.Tensor> all = SafetensorsFiles.readAll(Fixtures.dir("llama-tiny").resolve("model.safetensors"));
        Map<String, SafetensorsFiles.Tensor> first = new LinkedHashMap<>();
        Map<String, SafetensorsFiles.Tensor> second = new LinkedHashMap<>();
        ObjectNode index = new ObjectMapper().createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (var e : all.entrySet()) {
            boolean one = i++ % 2 == 0;
            (one ? first : second).put(e.getKey(), e.getValue());
            map.put(e.getKey(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        SafetensorsFiles.write(dir.resolve("model-00001-of-00002.safetensors"), first);
        SafetensorsFiles.write(dir.resolve("model-00002-of-00002.safetensors"), second);
        new ObjectMapper().writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);

        assertArrayEquals(logits(Fixtures.dir("llama-tiny"), "The sky is blue."), logits(dir, "The sky is blue."));
    }

    @Test
    void readsBf16AndF16AndPrefixedNames() throws IOException {
        Path dir = copyOf("gpt2-tiny", false);
        Map<String, SafetensorsFiles.Tensor> all = SafetensorsFiles.readAll(Fixtures.dir("gpt2-tiny").resolve("model.safetensors"));
        Map<String, SafetensorsFiles.Tensor> bf16 = new LinkedHashMap<>();
        all.forEach((name, t) -> bf16.put("transformer." + name, new SafetensorsFiles.Tensor("BF16", t.shape(), SafetensorsFiles.toBf16(t.data()))));
        SafetensorsFiles.write(dir.resolve("model.safetensors"), bf16);
        float[] reference = logits(Fixtures.dir("gpt2-tiny"), "hello");
        float[] narrowed = logits(dir, "hello");
        for (int i = 0; i < reference.length; i += 997) {
            assertEquals(reference[i], narrowed[i], 0.1 + 0.02 * Math.abs(reference[i]), "bf16 logits near float32 ones");
        }
    }

    @Test
    void widensHalfFloatsExactly() {
        assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3C00));
        assertEquals(-2.0f, HalfFloats.f16ToFloat((short) 0xC000));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) 0x7E00)));
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3F80));
    }

    @Test
    void rejectsUnknownModelTypeNamingTheFile() throws IOException {
        Path dir = copyOf("gpt2-tiny", true);
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"gpt2\"", "\"bert\""));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("m", dir, null, Device.cpu()));
        assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'bert'"), e.getMessage());
    }

    @Test
    void rejectsMissingTensorNamingIt() throws IOException {
        Path dir = copyOf("gpt2-tiny", true);
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"n_layer\": 4", "\"n_layer\": 5"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("m", dir, null, Device.cpu()));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("'h.4.ln_1.weight'"), e.getMessage());
    }

    @Test
    void rejectsWrongShapeNamingTensorAndShapes() throws IOException {
        Path dir = copyOf("gpt2-tiny", true);
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"n_positions\": 128", "\"n_positions\": 256"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("m", dir, null, Device.cpu()));
        assertTrue(e.getMessage().contains("'wpe.weight'") && e.getMessage().contains("[128, 64]") && e.getMessage().contains("[256, 64]"), e.getMessage());
    }

    @Test
    void rejectsTruncatedFileNamingFileAndTensor() throws IOException {
        Path dir = copyOf("gpt2-tiny", true);
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("m", dir, null, Device.cpu()));
        assertTrue(e.getMessage().contains(weights.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*tensor '[^']+'.*"), e.getMessage());
    }

    @Test
    void rejectsGarbageHeader() throws IOException {
        Path dir = copyOf("gpt2-tiny", false);
        Files.write(dir.resolve("model.safetensors"), ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("m", dir, null, Device.cpu()));
        assertTrue(e.getMessage().contains("bad safetensors header length"), e.getMessage());
    }
}
