package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.lensboard.Fixtures;
import io.lensboard.model.pool.ModelLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 23's use-after-free: a backward pass must not depend on what the garbage collector did since the forward
 * pass. DJL wraps a constant operand (x.mul(0.5f)) in a Java direct buffer that nothing keeps once the product is
 * made, while the product's backward node still reads it; a collection between forward and backward freed it and
 * the gradient read whatever was written there next (NaN, for the runs that ended "done" with NaN). Here, between the
 * two passes, the collector runs and freshly allocated direct buffers full of NaN take the freed memory; the input
 * gradient must equal, to the bit, the one computed with no collection in between. Each architecture's forward
 * (GPT-2's gelu_new, the attention scale, the ViT's exact GELU) is covered.
 */
class GradientAfterCollectionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"gpt2-tiny", "llama-tiny", "vit-tiny"})
    void inputGradientIgnoresGarbageCollection(String model) throws Exception {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu())) {
            float[] quiet = gradient(m, false);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(quiet, gradient(m, true), model + ": the gradient after a collection, try " + i);
            }
        }
    }

    /** d sum(block outputs · fixed weights) / d input embeddings, with a collection between the passes if asked. */
    private static float[] gradient(LoadedModel m, boolean collect) throws InterruptedException {
        try (NDManager scope = m.newScope()) {
            Transformer tf = m.transformer();
            Engine.getInstance().setRandomSeed(3);
            int tokens = m.takesImages() ? m.config().nCtx() : 6;
            NDArray e = m.takesImages()
                    ? m.images().embedPixels(scope.randomNormal(new ai.djl.ndarray.types.Shape(1, m.images().vision().channels(),
                            m.images().vision().imageSize(), m.images().vision().imageSize())))
                    : scope.randomNormal(new ai.djl.ndarray.types.Shape(1, tokens, m.config().dModel()));
            NDArray weights = scope.randomNormal(e.getShape());
            e.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray objective = tf.forward(e, Forward.residualAfter(m.config().nLayers()), ActivationCache.none())
                        .mul(weights).sum();
                if (collect) {
                    reuseFreedMemory();
                }
                gc.backward(objective);
                return e.getGradient().toFloatArray();
            }
        }
    }

    /** Runs the collector and its cleaner, then fills many small direct buffers (the constants' size) with NaN. */
    private static void reuseFreedMemory() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50); // the cleaner thread frees unreachable direct buffers
        }
        List<ByteBuffer> filler = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 4) * 4).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 4) {
                b.putFloat(Float.NaN);
            }
            filler.add(b);
        }
    }
}
