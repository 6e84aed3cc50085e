package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What the goldens leave out of the ascent on pixel_values: Adam, seeded jitter, the clamp, flat memory. */
class ImageAscentTest {

    @Test
    void adamWithJitterBlurAndClampKeepsPixelsValidAndMemoryFlat() {
        try (LoadedModel hybrid = ModelLoader.loadHybrid("vit-tiny+gpt2-tiny", Fixtures.dir("vit-tiny"), null,
                Fixtures.dir("gpt2-tiny"), null, Device.cpu(), LoadProgress.NONE)) {
            float[] start = new float[3 * 32 * 32];
            SplittableRandom rng = new SplittableRandom(1);
            for (int i = 0; i < start.length; i++) {
                start[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            Feature f = new Feature(2, FeatureSlice.parse("[:, 6, :]"));
            ImageAscent.Params p = new ImageAscent.Params(f, Optimizer.ADAM, 0.1, 1.0, true);
            try (ImageAscent ascent = new ImageAscent(hybrid, p, start, ImageAscent.Shifts.random(3, 7))) {
                double first = ascent.step().value();
                int held = ascent.heldArrays();
                for (int t = 1; t < 12; t++) {
                    assertEquals(t, ascent.step().step());
                    assertEquals(held, ascent.heldArrays(), "a step leaves nothing behind");
                }
                for (float x : ascent.pixels()) {
                    assertTrue(x >= -1f && x <= 1f, "clamped to what u8 0..255 become: " + x);
                }
                assertTrue(ascent.value() > first, "the feature grows: " + first + " -> " + ascent.value());
                double[] change = ascent.patchChange();
                assertEquals(16, change.length);
                assertTrue(change[0] > 0, "the image changed");
            }
        }
    }

    @Test
    void seededShiftsStayWithinTheJitterAndRepeat() {
        ImageAscent.Shifts a = ImageAscent.Shifts.random(2, 42);
        ImageAscent.Shifts b = ImageAscent.Shifts.random(2, 42);
        for (int t = 0; t < 50; t++) {
            int[] s = a.at(t);
            assertTrue(Math.abs(s[0]) <= 2 && Math.abs(s[1]) <= 2);
            assertEquals(java.util.Arrays.toString(s), java.util.Arrays.toString(b.at(t)));
        }
        assertEquals("[0, 0]", java.util.Arrays.toString(ImageAscent.Shifts.random(0, 1).at(0)));
    }
}
