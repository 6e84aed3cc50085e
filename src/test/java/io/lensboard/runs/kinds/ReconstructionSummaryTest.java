package io.lensboard.runs.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A study row's numbers on hand-made results, as the page's legend defines them. */
class ReconstructionSummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode result(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void medianStepsCountNeverAsInfinitelyManyAndSkipUnfinishedRuns() {
        ReconstructionSummary s = ReconstructionSummary.of(Arrays.asList(
                result("{\"steps_to_criterion\": 40, \"exact_fraction\": 1.0, \"m\": 2.0, \"m_g\": 1.0, \"repetition\": 0.0}"),
                result("{\"steps_to_criterion\": null, \"exact_fraction\": 0.5, \"m\": 2.0, \"m_g\": 3.0, \"repetition\": 0.25}"),
                result("{\"steps_to_criterion\": 10, \"exact_fraction\": 0.0, \"m\": 1.0, \"m_g\": 0.5, \"repetition\": 0.5}"),
                null));
        assertEquals(3, s.done());
        assertEquals(4, s.seeds());
        assertEquals(40.0, s.stepsToCriterion(), "median of 10, 40, never");
        assertEquals(0.5, s.exactFraction(), 1e-12, "mean of 1, 0.5, 0");
        assertEquals(0.5, s.mGOverM(), 1e-12, "median of 0.5, 1.5, 0.5");
        assertEquals(0.25, s.repetition(), 1e-12, "mean of 0, 0.25, 0.5");
    }

    @Test
    void anEvenCountAveragesTheMiddleTwoAndNeverWinsWhenHalfNeverMetTheCriterion() {
        assertEquals(25.0, SeedStats.median(List.of(40.0, 10.0, 20.0, 30.0)));
        assertEquals(Double.POSITIVE_INFINITY, ReconstructionSummary.of(List.of(result("{\"steps_to_criterion\": 10}"),
                result("{\"steps_to_criterion\": null}"))).stepsToCriterion());
    }

    @Test
    void fieldsNoFinishedRunReportsAreUnknown() {
        ReconstructionSummary none = ReconstructionSummary.of(Arrays.asList(null, null));
        assertEquals(0, none.done());
        assertNull(none.stepsToCriterion());
        assertNull(none.exactFraction());
        // results from before steps_to_criterion and repetition existed
        ReconstructionSummary old = ReconstructionSummary.of(List.of(result("{\"exact_fraction\": 1.0, \"m\": 0.0, \"m_g\": 1.0}")));
        assertNull(old.stepsToCriterion());
        assertNull(old.repetition());
        assertNull(old.mGOverM(), "no ratio to a zero yardstick");
        assertEquals(1.0, old.exactFraction());
    }
}
