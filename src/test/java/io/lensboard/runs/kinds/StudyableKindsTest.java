package io.lensboard.runs.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.runs.Studyable.Column;
import io.lensboard.runs.Studyable.Figure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each studyable kind summarises its own results in its own columns; seeded kinds make the next run's parameters. */
class StudyableKindsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode result(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theOrthogonalWalkSummarisesDistancesRatioAndOrthogonalityAsMediansWithTheirRange() {
        OrthogonalWalkKind walk = new OrthogonalWalkKind();
        assertEquals(List.of("d_i", "d_o", "d_o/d_i", "orthogonality"), walk.studyColumns().stream().map(Column::heading).toList());
        List<Figure> row = walk.summarise(List.of(
                result("{\"d_i\": 2.0, \"d_o\": 0.5, \"ratio\": 0.25, \"orthogonality\": 1e-6}"),
                result("{\"d_i\": 4.0, \"d_o\": 2.0, \"ratio\": 0.5, \"orthogonality\": 3e-6}"),
                result("{\"d_i\": 3.0, \"d_o\": 3.0, \"ratio\": null, \"orthogonality\": 2e-6}")));
        assertEquals(3.0, row.get(0).value());
        assertEquals("3.000 (2.000–4.000)", row.get(0).text());
        assertEquals(2.0, row.get(1).value());
        assertEquals(0.375, row.get(2).value(), 1e-12, "median of 0.25 and 0.5; a null ratio (d_i = 0) is left out");
        assertEquals(2e-6, row.get(3).value(), 1e-18);
        assertEquals("d_o/d_i", walk.studyColumns().get(walk.chartedColumn()).heading(), "the chart draws the ratio against blocks");
    }

    @Test
    void theClampedWalkSummarisesR() {
        ClampedWalkKind walk = new ClampedWalkKind();
        assertEquals(List.of("d_i", "d_o", "r"), walk.studyColumns().stream().map(Column::heading).toList());
        List<Figure> row = walk.summarise(List.of(result("{\"d_i\": 1.5, \"d_o\": 0.5, \"r\": 3.0}")));
        assertEquals(List.of("1.500", "0.5000", "3.000"), row.stream().map(Figure::text).toList(), "one seed: no range");
        List<Figure> none = walk.summarise(List.of());
        assertEquals(List.of("—", "—", "—"), none.stream().map(Figure::text).toList());
        assertNull(none.get(2).value());
    }

    @Test
    void reconstructionKeepsItsColumnsAndNeverIsNoPointOnTheChart() {
        ReconstructionKind kind = new ReconstructionKind();
        assertEquals(List.of("median steps to criterion", "exact fraction", "m_g/m", "repetition"),
                kind.studyColumns().stream().map(Column::heading).toList());
        List<Figure> row = kind.summarise(List.of(result("{\"steps_to_criterion\": null, \"exact_fraction\": 0.5, \"m\": 2.0, \"m_g\": 3.0, \"repetition\": 0.25}"),
                result("{\"steps_to_criterion\": 30, \"exact_fraction\": 1.0, \"m\": 2.0, \"m_g\": 1.0, \"repetition\": 0.0}")));
        assertEquals("never", row.get(0).text());
        assertNull(row.get(0).value());
        assertEquals(List.of("0.75", "1.00", "0.13"), row.subList(1, 4).stream().map(Figure::text).toList());
    }

    @Test
    void runAgainChangesTheSeedAndNothingElse() {
        ReconstructionKind kind = new ReconstructionKind();
        ReconstructionKind.Params p = kind.schema().read(result("{\"prompt\": \"The sky\", \"seed\": 41, \"steps\": 7}"));
        ReconstructionKind.Params next = kind.nextSeed(p);
        assertEquals(42, next.seed());
        assertEquals(kind.schema().with(next, "seed", 41L), p, "every other parameter is kept");
    }
}
