package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.runs.Studyable.Column;
import io.lensboard.runs.Studyable.Figure;
import java.util.ArrayList;
import java.util.List;

/**
 * A study as its table and chart show it: one row per (model, blocks, lm_head) summarising its seeds' done runs in
 * the kind's own columns ({@link Studyable}), and the kind's charted column against blocks, one line per
 * (model, lm_head). The axes are the grid's models, blocks, lm_head, seeds, seeds varying fastest, so row r holds
 * cells r·S … r·S + S − 1.
 */
public final class StudyTable {
    private static final int MODEL = 0;
    private static final int BLOCKS = 1;
    private static final int HEAD = 2;
    private static final int SEEDS = 3;

    /** A seed's run, linked from its row. */
    public record Seed(Object seed, String run, String state) {}

    /** A row: its axis values, its seeds' runs, how many are done, and one figure per column. */
    public record Row(int index, String model, Object blocks, Object lmHead, List<Seed> seeds, int done, List<Figure> figures) {}

    private final RunGrid g;
    private final Studyable<?> kind;

    StudyTable(RunGrid g, Studyable<?> kind) {
        this.g = g;
        this.kind = kind;
    }

    public List<Column> columns() {
        return kind.studyColumns();
    }

    public int rows() {
        return g.runs().size() / seeds();
    }

    /** The row a cell belongs to. */
    public int rowOf(int cell) {
        return cell / seeds();
    }

    private int seeds() {
        return g.values().get(SEEDS).size();
    }

    /** Row r from its runs as last read ({@code runs}: every cell's, in cell order). */
    public Row row(int r, List<RunRecord> runs) {
        int first = r * seeds();
        List<Seed> seeds = new ArrayList<>();
        List<JsonNode> done = new ArrayList<>();
        for (int i = first; i < first + seeds(); i++) {
            RunRecord run = runs.get(i);
            seeds.add(new Seed(g.value(i, SEEDS), run.id(), run.state().key()));
            if (run.state() == RunState.DONE && run.result() != null) {
                done.add(run.result());
            }
        }
        return new Row(r, g.value(first, MODEL).toString(), g.value(first, BLOCKS), g.value(first, HEAD), seeds, done.size(),
                kind.summarise(done));
    }

    /**
     * The chart's {@code data-chart} spec: one series per (model, lm_head), keyed s0, s1, …, over the blocks; n0, n1, …
     * say where a row "never" met the criterion (run-charts.js marks those at the top of the axis).
     */
    public String chartSpec(ObjectMapper json) {
        ObjectNode spec = json.createObjectNode().put("event", "criterion").put("type", "line").put("labels", "blocks").put("points", true)
                .put("xTitle", "blocks").put("yTitle", charted().heading());
        ArrayNode series = spec.putArray("series");
        int line = 0;
        for (Object model : g.values().get(MODEL)) {
            for (Object head : g.values().get(HEAD)) {
                series.addObject().put("key", "s" + line).put("never", "n" + line++).put("label", model + (Boolean.TRUE.equals(head) ? ", LM head" : ", no LM head"));
            }
        }
        return spec.toString();
    }

    private Column charted() {
        return columns().get(kind.chartedColumn());
    }

    /**
     * The chart's data: the blocks, and per line the charted figure at each (null where unknown or not a number) and
     * whether it is "never".
     */
    public ObjectNode chart(List<RunRecord> runs, ObjectMapper json) {
        ObjectNode data = json.createObjectNode();
        data.set("blocks", json.valueToTree(g.values().get(BLOCKS)));
        int models = g.values().get(MODEL).size();
        int blocks = g.values().get(BLOCKS).size();
        int heads = g.values().get(HEAD).size();
        for (int m = 0; m < models; m++) {
            for (int h = 0; h < heads; h++) {
                ArrayNode line = data.putArray("s" + (m * heads + h));
                ArrayNode never = data.putArray("n" + (m * heads + h));
                for (int b = 0; b < blocks; b++) {
                    Studyable.Figure f = row((m * blocks + b) * heads + h, runs).figures().get(kind.chartedColumn());
                    never.add(f.never());
                    Double v = f.value();
                    if (v == null) {
                        line.addNull();
                    } else {
                        line.add(v);
                    }
                }
            }
        }
        return data;
    }
}
