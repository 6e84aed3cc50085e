package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The cells of a grid of runs (an alignment table, a study, a comparison of images) as one viewer sees them, folded
 * from {@link RunGrids#follow}'s events: each cell's run, whether it is finished, and its latest picture. A cell is
 * read again from the store on its state and done events (the store is written before an event is published) and
 * is taken from the event itself on progress, with no store read: steps come many per second. Not thread-safe: fed
 * in order, one event at a time.
 */
public final class GridCells {

    /**
     * What one event changed in cell {@code cell}: its {@code run} (as last read); {@code progress}, the event's data,
     * or null when the run was read from the store; {@code picture}, the cell's latest picture (or null) and whether
     * this event brought it; {@code finished}, whether the cell has just finished.
     */
    public record Change(int cell, RunRecord run, String type, JsonNode progress, String picture, boolean newPicture, boolean finished) {
        public boolean stored() {
            return progress == null;
        }
    }

    /** Where a cell's picture comes from: its kind's {@link Pictures}, if it has any. */
    @FunctionalInterface
    interface PictureReader {
        String picture(RunRecord run, String type, JsonNode data);
    }

    private final Function<String, RunRecord> store;
    private final PictureReader pictureReader;
    private final List<String> runIds;
    private final RunRecord[] runs;
    private final boolean[] finished;
    private final String[] pictures;
    private int finishedCount;

    /** {@code store}: a run as stored now, by id. */
    GridCells(List<String> runIds, Function<String, RunRecord> store, PictureReader pictureReader) {
        this.store = store;
        this.pictureReader = pictureReader;
        this.runIds = List.copyOf(runIds);
        this.runs = runIds.stream().map(store).toArray(RunRecord[]::new);
        this.finished = new boolean[runs.length];
        this.pictures = new String[runs.length];
    }

    /** The change {@code e} makes, or empty when it makes none (an event of a cell already shown finished). */
    public Optional<Change> fold(RunGrids.CellEvent e) {
        int i = e.cell();
        if (finished[i]) {
            return Optional.empty();
        }
        String type = e.event() == null ? "state" : e.event().type();
        if (type.equals("state") || type.equals("done")) {
            runs[i] = store.apply(runIds.get(i));
            if (runs[i].state().finished()) {
                finished[i] = true;
                finishedCount++;
            }
            return Optional.of(new Change(i, runs[i], type, null, pictures[i], false, finished[i]));
        }
        JsonNode data = e.event().json();
        String picture = pictureReader.picture(runs[i], type, data);
        if (picture != null) {
            pictures[i] = picture;
        }
        return Optional.of(new Change(i, runs[i], type, data, pictures[i], picture != null, false));
    }

    /** Every cell's run as last read, in cell order. */
    public List<RunRecord> runs() {
        return new ArrayList<>(Arrays.asList(runs));
    }

    public int size() {
        return runs.length;
    }

    public int finishedCount() {
        return finishedCount;
    }

}
