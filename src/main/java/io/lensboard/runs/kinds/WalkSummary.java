package io.lensboard.runs.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.runs.Studyable.Column;
import io.lensboard.runs.Studyable.Figure;
import java.util.ArrayList;
import java.util.List;

/** What a walk study's row shows: each of the walk's final figures, median over the seeds with their range. */
final class WalkSummary {
    private WalkSummary() {}

    /** A walk study's columns: the final distances d_i and d_o every walk measures, then the walk's own figures. */
    static List<Column> columns(Column... own) {
        List<Column> columns = new ArrayList<>(List.of(new Column("d_i", "the final ‖e − e_n‖₁, median over seeds (their range)"),
                new Column("d_o", "the final ‖O_l(e) − O_l(e_n)‖₁, median over seeds (their range)")));
        columns.addAll(List.of(own));
        return List.copyOf(columns);
    }

    /** One figure per field of the walk's result (d_i, d_o, its ratio, …), in order; a null ratio counts as unknown. */
    static List<Figure> of(List<JsonNode> results, List<String> fields) {
        List<Figure> figures = new ArrayList<>();
        for (String field : fields) {
            List<Double> xs = new ArrayList<>();
            for (JsonNode r : results) {
                if (r.path(field).isNumber()) {
                    xs.add(r.get(field).asDouble());
                }
            }
            figures.add(SeedStats.medianAndSpread(xs));
        }
        return figures;
    }
}
