package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.runs.GridCells;
import io.lensboard.runs.RunRecord;
import io.lensboard.web.runs.RunViews;
import java.util.List;
import java.util.Locale;

/**
 * An alignment cell as the table shows it: a finished run through its kind's {@code cell} fragment, else its
 * state, its progress and the tokens (or the image snapshot, a data URL) of its latest event.
 */
public final class AlignmentView {
    private AlignmentView() {}

    /** {@code result}: the kind's rendered cell, once the run is done. */
    public record Cell(String key, String run, String state, boolean done, String result, List<String> tokens, String note,
                       String progress, String snapshot) {}

    /** A table row: its model and block, and its cells rendered. */
    public record Row(String model, int layer, List<String> cells) {}

    public static String key(int row, int column) {
        return row + "-" + column;
    }

    /** A cell from the stored run. */
    public static Cell of(int row, int column, RunRecord run, RunViews views) {
        String result = run.result() == null ? null : views.cell(run);
        return new Cell(key(row, column), run.id(), run.state().key(), run.state().finished(), result, List.of(), run.error(), null, null);
    }

    /** A cell after a change: as stored, or running as its event and its latest picture show it. */
    public static Cell of(int row, int column, GridCells.Change c, RunViews views) {
        return c.stored() ? of(row, column, c.run(), views)
                : progress(row, column, c.run(), c.progress(), views.tokens(c.run(), c.type(), c.progress()), c.picture());
    }

    /**
     * A running cell from one of its progress events: {@code tokens}, the visible tokens it carries; {@code snapshot}, the
     * latest image its events carried, or null.
     */
    private static Cell progress(int row, int column, RunRecord run, JsonNode data, List<String> tokens, String snapshot) {
        String progress = data.has("progress") ? String.format(Locale.ROOT, "%.0f%%", 100 * data.get("progress").asDouble()) : null;
        return new Cell(key(row, column), run.id(), "running", false, null, tokens, null, progress, snapshot);
    }
}
