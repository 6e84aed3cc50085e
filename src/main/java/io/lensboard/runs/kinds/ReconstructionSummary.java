package io.lensboard.runs.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.runs.Studyable.Figure;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a reconstruction study's row shows for one (model, blocks, lm_head) over its seeds, from the results of the
 * runs that are done: the median steps to the criterion (a run that never met it counts as infinitely many), the mean
 * exact fraction, the median final m_g/m and the mean repetition. A value is null where no done run reports its field.
 */
record ReconstructionSummary(int done, int seeds, Double stepsToCriterion, Double exactFraction, Double mGOverM, Double repetition) {

    /** {@code results}: one per seed, null for a run not done. */
    static ReconstructionSummary of(List<JsonNode> results) {
        List<Double> steps = new ArrayList<>();
        List<Double> exact = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        List<Double> repetition = new ArrayList<>();
        int done = 0;
        for (JsonNode r : results) {
            if (r == null || r.isNull()) {
                continue;
            }
            done++;
            if (r.has("steps_to_criterion")) {
                JsonNode n = r.get("steps_to_criterion");
                steps.add(n.isNull() ? Double.POSITIVE_INFINITY : n.asDouble()); // null: m_g never fell below m
            }
            number(r, "exact_fraction", exact);
            number(r, "repetition", repetition);
            if (r.path("m").isNumber() && r.path("m_g").isNumber() && r.get("m").asDouble() != 0) {
                ratio.add(r.get("m_g").asDouble() / r.get("m").asDouble());
            }
        }
        return new ReconstructionSummary(done, results.size(), SeedStats.median(steps), SeedStats.mean(exact), SeedStats.median(ratio),
                SeedStats.mean(repetition));
    }

    private static void number(JsonNode r, String field, List<Double> out) {
        if (r.path(field).isNumber()) {
            out.add(r.get(field).asDouble());
        }
    }

    /** The row's figures in {@link ReconstructionKind#studyColumns()}'s order; "never" is marked at the top of the chart. */
    List<Figure> figures() {
        Figure steps = stepsToCriterion == null ? Figure.UNKNOWN
                : stepsToCriterion.isInfinite() ? Figure.NEVER : new Figure(stepsToCriterion, whole(stepsToCriterion));
        return List.of(steps, SeedStats.figure("%.2f", exactFraction), SeedStats.figure("%.3g", mGOverM), SeedStats.figure("%.2f", repetition));
    }

    /** A median of whole steps: whole, or halfway between two. */
    private static String whole(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
