package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.runs.RunGrid;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import io.lensboard.runs.StudySummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A study as its page shows it: one row per (model, blocks, lm_head) summarising its seeds' runs ({@link StudySummary}),
 * and the chart of the median steps to the criterion against blocks, one line per (model, lm_head). The axes are
 * the grid's models, blocks, lm_head, seeds, seeds varying fastest, so row r holds cells r·S … r·S + S − 1.
 */
public final class StudyView {
    private StudyView() {}

    /** A seed's run, linked from its row. */
    public record Seed(Object seed, String run, String state) {}

    /** Numbers already formatted; "—" where no done run reports the field, "never" where the median run never met m. */
    public record Row(int index, String model, Object blocks, Object lmHead, List<Seed> seeds, int done, String steps,
                      String exact, String ratio, String repetition) {}

    private static final int MODEL = 0;
    private static final int BLOCKS = 1;
    private static final int HEAD = 2;
    private static final int SEEDS = 3;

    public static int rows(RunGrid g) {
        return g.runs().size() / seeds(g);
    }

    /** The row a cell belongs to. */
    public static int rowOf(RunGrid g, int cell) {
        return cell / seeds(g);
    }

    private static int seeds(RunGrid g) {
        return g.values().get(SEEDS).size();
    }

    /** Row r from its runs as last read ({@code runs}: every cell's, in cell order). */
    public static Row row(RunGrid g, int r, List<RunRecord> runs) {
        int first = r * seeds(g);
        List<Seed> seeds = new ArrayList<>();
        for (int i = first; i < first + seeds(g); i++) {
            RunRecord run = runs.get(i);
            seeds.add(new Seed(g.value(i, SEEDS), run.id(), run.state().key()));
        }
        StudySummary s = summary(g, r, runs);
        return new Row(r, g.value(first, MODEL).toString(), g.value(first, BLOCKS), g.value(first, HEAD), seeds, s.done(),
                s.stepsToCriterion() == null ? "—" : s.stepsToCriterion().isInfinite() ? "never" : trim(s.stepsToCriterion()),
                format("%.2f", s.exactFraction()), format("%.3g", s.mGOverM()), format("%.2f", s.repetition()));
    }

    private static StudySummary summary(RunGrid g, int r, List<RunRecord> runs) {
        return StudySummary.of(runs.subList(r * seeds(g), (r + 1) * seeds(g)).stream()
                .map(run -> run.state() == RunState.DONE ? run.result() : null).toList());
    }

    private static String format(String pattern, Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, pattern, v);
    }

    /** A median of whole steps: whole, or halfway between two. */
    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** The chart's {@code data-chart} spec: one series per (model, lm_head), keyed s0, s1, …, over the blocks. */
    public static String chartSpec(RunGrid g, ObjectMapper json) {
        ObjectNode spec = json.createObjectNode().put("event", "criterion").put("type", "line").put("labels", "blocks").put("points", true)
                .put("xTitle", "blocks").put("yTitle", "median steps to the criterion (m_g < m)");
        ArrayNode series = spec.putArray("series");
        int line = 0;
        for (Object model : g.values().get(MODEL)) {
            for (Object head : g.values().get(HEAD)) {
                series.addObject().put("key", "s" + line++).put("label", model + (Boolean.TRUE.equals(head) ? ", LM head" : ", no LM head"));
            }
        }
        return spec.toString();
    }

    /** The chart's data: the blocks, and per line the median steps at each (null where unknown or never met). */
    public static ObjectNode chart(RunGrid g, List<RunRecord> runs, ObjectMapper json) {
        ObjectNode data = json.createObjectNode();
        data.set("blocks", json.valueToTree(g.values().get(BLOCKS)));
        int models = g.values().get(MODEL).size();
        int blocks = g.values().get(BLOCKS).size();
        int heads = g.values().get(HEAD).size();
        for (int m = 0; m < models; m++) {
            for (int h = 0; h < heads; h++) {
                ArrayNode line = data.putArray("s" + (m * heads + h));
                for (int b = 0; b < blocks; b++) {
                    Double steps = summary(g, (m * blocks + b) * heads + h, runs).stepsToCriterion();
                    if (steps == null || steps.isInfinite()) {
                        line.addNull();
                    } else {
                        line.add(steps);
                    }
                }
            }
        }
        return data;
    }
}
