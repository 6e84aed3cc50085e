package io.lensboard.web.why;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lensboard.analysis.LensResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A lens cell's "why this token?" link: the cell's query, and none where the attribution has no such cell. */
class WhyLinksTest {

    private static LensResult lens(String decoder, String prompt) {
        return new LensResult("gpt2-tiny", "float32", decoder, prompt, List.of(), List.of());
    }

    @Test
    void linksALayerRowOfTheLogitLensToItsAttribution() {
        assertEquals("/attribution?model=gpt2-tiny&dtype=float32&prompt=The%20cat%20%26%20dog&pos=3&token=3797&layer=2",
                WhyLinks.attribution(lens(LensResult.LOGIT, "The cat & dog"), 2, 3, 3797));
    }

    @Test
    void leavesOutSubBlockRowsTunedLensesAndLinksTooLongForARequestLine() {
        assertNull(WhyLinks.attribution(lens(LensResult.LOGIT, "The cat"), 1.5, 0, 1), "hook_resid_mid has no attribution layer");
        assertNull(WhyLinks.attribution(lens("tuned:gpt2-tiny", "The cat"), 1, 0, 1), "a tuned lens's translators");
        assertNull(WhyLinks.attribution(lens(LensResult.LOGIT, "cat ".repeat(1500)), 1, 0, 1), "a 6,000-character prompt");
    }
}
