package io.lensboard.model.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.InvalidModelIdException;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.checkpoint.HubClient;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ViTs and hybrids STEM+STACK through ids, the catalog and the pool; text and image models refuse each other's input. */
class ImageModelsTest {

    private static ModelPool pool(DeviceThread device) {
        return new ModelPool(new ModelCatalog(List.of(Fixtures.root()),
                new HubClient(java.net.URI.create("http://127.0.0.1:9"), Fixtures.root(), Optional.empty())), device, Long.MAX_VALUE);
    }

    @Test
    void hybridIdsNameTheirTwoParts() {
        ModelRef ref = ModelRef.parse("hf:google/vit-base-patch16-224+hf:openai-community/gpt2:untrained");
        assertTrue(ref.isHybrid());
        assertFalse(ref.isHub(), "a hybrid is not itself a hub id");
        assertEquals("hf:google/vit-base-patch16-224", ref.stem().id());
        assertTrue(ref.stem().isHub());
        assertEquals(0L, ref.stack().untrainedSeed());
        assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("vit-tiny+gpt2-tiny+llama-tiny"));
        assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("vit-tiny+"));
        assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("vit-tiny+hf:bad..name/x"));
    }

    @Test
    void loadsAViTAndAHybridByIdAndRefusesTextWork() throws Exception {
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device)) {
            LoadedModel vit = pool.load("vit-tiny").get(60, TimeUnit.SECONDS);
            assertEquals(ModelConfig.Architecture.VIT, vit.config().architecture());
            assertEquals(17, vit.config().nCtx());
            assertEquals(vit.bytes(), vit.config().parameterBytes(), "the config's byte count is what the ViT holds");
            assertEquals(vit.config().parameterTensors(), 4 + 16 * 2 + 2);
            assertTrue(vit.takesImages());
            CheckpointException noText = assertThrows(CheckpointException.class, vit::tokenizer);
            assertTrue(noText.getMessage().contains("takes images"), noText.getMessage());
            assertThrows(CheckpointException.class, () -> vit.transformer().tokenEmbedding());

            LoadedModel hybrid = pool.load("vit-tiny+gpt2-tiny").get(60, TimeUnit.SECONDS);
            assertTrue(hybrid.takesImages());
            assertEquals(4, hybrid.config().nLayers(), "the stack's blocks");
            assertEquals(17, hybrid.config().nCtx(), "the stem's tokens");

            LoadedModel text = pool.load("gpt2-tiny").get(60, TimeUnit.SECONDS);
            assertFalse(text.takesImages());
            CheckpointException noImages = assertThrows(CheckpointException.class, text::images);
            assertTrue(noImages.getMessage().contains("reads text"), noImages.getMessage());
        }
    }

    @Test
    void refusesHybridsWhoseWidthsDifferOrWhoseStemIsNoViT() throws Exception {
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device)) {
            ExecutionException wide = assertThrows(ExecutionException.class,
                    () -> pool.load("vit-tiny+gpt2-small-config:untrained").get(60, TimeUnit.SECONDS));
            assertTrue(wide.getCause() instanceof CheckpointException, wide.getCause().toString());
            assertTrue(wide.getCause().getMessage().contains("64 wide") && wide.getCause().getMessage().contains("768 wide"),
                    wide.getCause().getMessage());
            ExecutionException stem = assertThrows(ExecutionException.class,
                    () -> pool.load("gpt2-tiny+gpt2-tiny").get(60, TimeUnit.SECONDS));
            assertTrue(stem.getCause().getMessage().contains("must be a ViT"), stem.getCause().getMessage());
            assertThrows(UnknownModelException.class, () -> pool.load("vit-tiny+no-such-model"));
        }
    }
}
