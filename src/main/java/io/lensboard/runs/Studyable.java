package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A kind that can be studied: run over models × blocks × lm_head × seeds (its parameters are a {@link StudyRun}),
 * each (model, blocks, lm_head) summarised over its seeds in the kind's own columns, one of them charted against
 * blocks. The study's table and chart know nothing else about the kind.
 */
public interface Studyable<P extends Record & StudyRun> extends Seeded<P> {

    /** A column of the study's table: its heading, and what the legend says it is. */
    record Column(String heading, String legend) {}

    /**
     * One row's value in one column: {@code value} is what the chart draws (null where unknown, or where it is not a
     * number, such as "never"), {@code text} what the table shows ("—" where no finished run reports it).
     */
    record Figure(Double value, String text) {
        public static final Figure UNKNOWN = new Figure(null, "—");
        /** No finished run met the criterion: no value to draw, but the chart marks it at the top of its axis. */
        public static final Figure NEVER = new Figure(null, "never");

        public boolean never() {
            return equals(NEVER);
        }
    }

    /** The table's columns after model, blocks and LM head. */
    List<Column> studyColumns();

    /** The column the chart draws against blocks, an index into {@link #studyColumns()}. */
    default int chartedColumn() {
        return 0;
    }

    /**
     * One row's figures, one per column, from the results of its seeds' runs that are done (each as stored, the JSON
     * of this kind's own result record); {@code results} may be empty.
     */
    List<Figure> summarise(List<JsonNode> results);
}
