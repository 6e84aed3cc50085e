package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.InvalidModelIdException;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.TunedLensWeights;
import io.lensboard.model.UnknownLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lens ids: directories under the lens directories (first wins) and hub lens directories, a Space's included. */
class LensCatalogTest {
    private static final Path LENSES = Path.of("src/test/resources/lenses");

    @Test
    void findsLocalLensesAndRefusesUnknownOnes(@TempDir Path cache) throws IOException {
        LensCatalog catalog = new LensCatalog(List.of(LENSES, cache.resolve("absent")), new HubClient(java.net.URI.create("http://127.0.0.1:1"), cache, Optional.empty()));
        assertEquals(List.of("gpt2-tiny"), catalog.local().stream().map(LensCatalog.LocalLens::id).toList());
        assertEquals(LENSES.resolve("gpt2-tiny"), catalog.locate("gpt2-tiny"));
        UnknownLensException e = assertThrows(UnknownLensException.class, () -> catalog.locate("../lenses/gpt2-tiny"));
        assertTrue(e.getMessage().contains("unknown tuned lens") && e.getMessage().contains("[gpt2-tiny]"), e.getMessage());
        assertThrows(InvalidModelIdException.class, () -> catalog.locate("hf:lensboard/lenses/../x"));
    }

    @Test
    void downloadsAHubLensFromASpace(@TempDir Path cache) throws IOException {
        try (FakeHub hub = new FakeHub(Path.of("src/test/resources"))) {
            LensCatalog catalog = new LensCatalog(List.of(), new HubClient(hub.endpoint(), cache, Optional.empty()));
            Path dir = catalog.locate("hf:spaces/lensboard/lenses/gpt2-tiny");
            assertTrue(dir.startsWith(cache.resolve("spaces--lensboard--lenses")), dir.toString());
            TunedLensWeights fromHub = TunedLensFiles.read(dir, "hf:spaces/lensboard/lenses/gpt2-tiny");
            TunedLensWeights local = TunedLensFiles.read(LENSES.resolve("gpt2-tiny"), "gpt2-tiny");
            for (int l = 0; l < 4; l++) {
                assertArrayEquals(local.weights().get(l), fromHub.weights().get(l));
                assertArrayEquals(local.biases().get(l), fromHub.biases().get(l));
            }
            assertEquals(List.of("gpt2-tiny/config.json", "gpt2-tiny/params.pt"),
                    hub.requests.stream().filter(r -> r.method().equals("GET")).map(FakeHub.Request::file).toList());
            UnknownLensException missing = assertThrows(UnknownLensException.class, () -> catalog.locate("hf:spaces/lensboard/lenses/no-such-lens"));
            assertTrue(missing.getMessage().contains("hf:AlignmentResearch/tuned-lens/lens/gpt2"), missing.getMessage());
        }
    }

    @Test
    void refusesALensThatDoesNotFitTheModel() {
        TunedLensWeights lens = TunedLensFiles.read(LENSES.resolve("gpt2-tiny"), "gpt2-tiny");
        ModelConfig threeLayers = ModelConfig.read(io.lensboard.Fixtures.path("llama-tiny").resolve("config.json"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> lens.checkFits(threeLayers, "llama-tiny"));
        assertTrue(e.getMessage().contains("num_hidden_layers 4") && e.getMessage().contains("llama-tiny has d_model 64 and 3 layers"), e.getMessage());
    }

    @Test
    void refusesAParamsFileWithOtherTensors(@TempDir Path dir) throws IOException {
        Files.copy(LENSES.resolve("gpt2-tiny/config.json"), dir.resolve("config.json"));
        TorchSaveWriter.write(dir.resolve("params.pt"), java.util.Map.of("layer_translators.0.weight",
                new TorchSave.Tensor(new long[] {1}, new float[] {1})));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TunedLensFiles.read(dir, "odd"));
        assertTrue(e.getMessage().contains("'layer_translators.0.weight' is not a translator"), e.getMessage());
    }

    @Test
    void writesALensInThePublishedFormatAndReadsSafetensorsTranslators(@TempDir Path dir) throws IOException {
        TunedLensWeights lens = TunedLensFiles.read(LENSES.resolve("gpt2-tiny"), "gpt2-tiny");
        TunedLensFiles.write(dir.resolve("copy"), lens);
        TunedLensWeights copy = TunedLensFiles.read(dir.resolve("copy"), "copy");
        assertEquals("gpt2-tiny", copy.baseModel());
        Path st = Files.createDirectories(dir.resolve("st"));
        Files.copy(LENSES.resolve("gpt2-tiny/config.json"), st.resolve("config.json"));
        java.util.Map<String, SafetensorsFiles.Tensor> tensors = new java.util.LinkedHashMap<>();
        for (int l = 0; l < 4; l++) {
            assertArrayEquals(lens.weights().get(l), copy.weights().get(l));
            assertArrayEquals(lens.biases().get(l), copy.biases().get(l));
            tensors.put(l + ".weight", new SafetensorsFiles.Tensor("F32", new long[] {64, 64}, littleEndian(lens.weights().get(l))));
            tensors.put(l + ".bias", new SafetensorsFiles.Tensor("F32", new long[] {64}, littleEndian(lens.biases().get(l))));
        }
        SafetensorsFiles.write(st.resolve(TunedLensFiles.PARAMS_SAFETENSORS), tensors);
        assertTrue(TunedLensFiles.isLensDirectory(st));
        TunedLensWeights fromSafetensors = TunedLensFiles.read(st, "st");
        for (int l = 0; l < 4; l++) {
            assertArrayEquals(lens.weights().get(l), fromSafetensors.weights().get(l));
            assertArrayEquals(lens.biases().get(l), fromSafetensors.biases().get(l));
        }
    }

    private static byte[] littleEndian(float[] values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
