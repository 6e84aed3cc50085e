package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a study's table shows for one (model, blocks, lm_head) over its seeds, from the results of the runs that are
 * done: the median steps to the criterion (a run that never met it counts as infinitely many), the mean exact
 * fraction, the median final m_g/m and the mean repetition. A value is null where no done run reports its field.
 */
public record StudySummary(int done, int seeds, Double stepsToCriterion, Double exactFraction, Double mGOverM, Double repetition) {

    /** {@code results}: one per seed, null for a run not done. */
    public static StudySummary of(List<JsonNode> results) {
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
        return new StudySummary(done, results.size(), median(steps), mean(exact), median(ratio), mean(repetition));
    }

    private static void number(JsonNode r, String field, List<Double> out) {
        if (r.path(field).isNumber()) {
            out.add(r.get(field).asDouble());
        }
    }

    /** The middle value, or the mean of the two middle ones; infinite when an infinite one is among them. */
    static Double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return null;
        }
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static Double mean(List<Double> xs) {
        return xs.isEmpty() ? null : xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
