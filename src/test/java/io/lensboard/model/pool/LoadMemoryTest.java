package io.lensboard.model.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.Dtype;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A model is measured from its config before anything is allocated (issue 26, item 5). */
class LoadMemoryTest {
    private static final Path FIXTURES = Path.of("../shared/fixtures");
    private static final long GIB = 1L << 30;

    @Test
    void refusesA7bShapeThatCannotFitBeforeAllocatingAnything() {
        AtomicInteger tensors = new AtomicInteger();
        LoadMemory memory = new LoadMemory(8 * GIB, 0, 23 * GIB); // the 23 GB machine and the default budget
        long t0 = System.nanoTime();
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("llama-7b-shape:untrained",
                FIXTURES.resolve("llama-7b-shape"), 0L, Dtype.FLOAT32, Device.cpu(),
                (name, done, total, bytesDone, bytesTotal) -> tensors.incrementAndGet(), memory));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("refused llama-7b-shape:untrained in float32 in " + ms + " ms: " + e.getMessage());
        assertTrue(e.getMessage().matches("llama-7b-shape:untrained needs 25\\.\\d\\d GiB \\(27\\d{9} bytes\\) for its weights in float32, "
                + "but only 23\\.00 GiB \\(24696061952 bytes\\) of memory is free \\(the pool's budget is 8\\.00 GiB \\(8589934592 bytes\\).*"),
                e.getMessage());
        assertEquals(0, tensors.get(), "not one tensor was initialised");
        assertTrue(ms < 5_000, "refused in " + ms + " ms");
    }

    @Test
    void loadsWhatFitsInItsDtype() {
        long bf16 = io.lensboard.model.ModelConfig.read(FIXTURES.resolve("llama-tiny/config.json")).parameterBytes(Dtype.BFLOAT16);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("llama-tiny", FIXTURES.resolve("llama-tiny"),
                null, Dtype.FLOAT32, Device.cpu(), LoadProgress.NONE, new LoadMemory(Long.MAX_VALUE, 0, bf16)));
        assertTrue(e.getMessage().contains("the pool's budget is unlimited"), e.getMessage());
        try (LoadedModel m = ModelLoader.load("llama-tiny", FIXTURES.resolve("llama-tiny"), null, Dtype.BFLOAT16, Device.cpu(),
                LoadProgress.NONE, new LoadMemory(Long.MAX_VALUE, 0, bf16))) {
            assertEquals(3, m.config().nLayers(), "the same memory holds it in bfloat16");
        }
    }
}
