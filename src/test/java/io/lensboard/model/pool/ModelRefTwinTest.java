package io.lensboard.model.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** One rule for a model's twin, used by the lens page's twin link and the runs page's "run on the twin". */
class ModelRefTwinTest {

    @Test
    void twinOfATrainedModelIsItsUntrainedTwinAndBack() {
        assertEquals("gpt2-tiny:untrained", ModelRef.twin("gpt2-tiny"));
        assertEquals("gpt2-tiny", ModelRef.twin("gpt2-tiny:untrained"));
        assertEquals("gpt2-tiny", ModelRef.twin("gpt2-tiny:untrained:7"));
        assertEquals("hf:owner/repo@main:untrained", ModelRef.twin("hf:owner/repo@main"));
    }

    @Test
    void twinOfAHybridIsItsStacksTwin() {
        assertEquals("vit-tiny+gpt2-tiny:untrained", ModelRef.twin("vit-tiny+gpt2-tiny"));
        assertEquals("vit-tiny+gpt2-tiny", ModelRef.twin("vit-tiny+gpt2-tiny:untrained"));
        assertEquals(ModelRef.parse("vit-tiny+gpt2-tiny:untrained").stack().id(), ModelRef.twin("vit-tiny+gpt2-tiny").split("\\+")[1]);
    }
}
