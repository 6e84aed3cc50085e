package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.runs.RunRecord;
import io.lensboard.web.common.TokenDisplay;
import io.lensboard.web.runs.RunViews;
import java.util.ArrayList;
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

    public static String key(int row, int column) {
        return row + "-" + column;
    }

    /** A cell from the stored run. */
    public static Cell of(int row, int column, RunRecord run, RunViews views) {
        String result = run.result() == null ? null : views.cell(run);
        return new Cell(key(row, column), run.id(), run.state().key(), run.state().finished(), result, List.of(), run.error(), null, null);
    }

    /** A running cell from one of its progress events; {@code snapshot}: the latest image its events carried, or null. */
    public static Cell progress(int row, int column, RunRecord run, JsonNode data, String snapshot) {
        String progress = data.has("progress") ? String.format(Locale.ROOT, "%.0f%%", 100 * data.get("progress").asDouble()) : null;
        List<String> tokens = new ArrayList<>();
        data.path("tokens").forEach(t -> tokens.add(TokenDisplay.visible(t.asText())));
        return new Cell(key(row, column), run.id(), "running", false, null, tokens, null, progress, snapshot);
    }
}
