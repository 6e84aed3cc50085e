package io.lensboard.web.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The twin button says which way it goes: trained → untrained, untrained → trained, and on a hybrid which part. */
class TwinTest {

    @Test
    void trainedModelsTwinIsItsUntrainedTwinAndTheLabelSaysSo() {
        Twin t = Twin.of("gpt2-tiny").orElseThrow();
        assertEquals("gpt2-tiny:untrained", t.model());
        assertEquals("compare with the untrained twin: gpt2-tiny → gpt2-tiny:untrained", t.label());
    }

    @Test
    void untrainedModelsTwinIsTheTrainedModel() {
        Twin t = Twin.of("gpt2-tiny:untrained:7").orElseThrow();
        assertEquals("gpt2-tiny", t.model());
        assertEquals("compare with the trained model: gpt2-tiny:untrained:7 → gpt2-tiny", t.label());
    }

    @Test
    void hybridsTwinUntrainsTheStackAndSaysTheStemStays() {
        Twin t = Twin.of("vit-tiny+gpt2-tiny").orElseThrow();
        assertEquals("vit-tiny+gpt2-tiny:untrained", t.model());
        assertTrue(t.label().startsWith("compare with an untrained stack (the stem vit-tiny stays as it is)"), t.label());
        Twin back = Twin.of("vit-tiny+gpt2-tiny:untrained").orElseThrow();
        assertEquals("vit-tiny+gpt2-tiny", back.model());
        assertTrue(back.label().startsWith("compare with the trained stack"), back.label());
    }

    @Test
    void hybridWhoseStemAloneIsUntrainedHasNoTwinButton() {
        assertTrue(Twin.of("vit-tiny:untrained+gpt2-tiny").isEmpty(), "its twin would be itself");
    }
}
