package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * The machinery every grid of runs shares (alignment tables, studies): axes → one run per combination, queued
 * together or not at all → the grid of run ids, stored → its cells, live. Each cell is an ordinary run.
 */
@ApplicationScoped
public class RunGrids {

    @Inject
    RunService runs;

    @Inject
    RunFeed feed;

    @Inject
    ObjectMapper json;

    @Inject
    RunKinds kinds;

    /** A cell's event from its run's feed, or (null) a request to show the cell as stored now. */
    public record CellEvent(int cell, RunEvent event) {}

    /**
     * Checks the axes' values (one list per axis of {@code table}) and the shared params, then validates and queues
     * one run per combination, all or none; returns the runs in cell order, the last axis varying fastest.
     */
    public List<RunRecord> submit(GridTable table, String kind, List<? extends List<?>> values, JsonNode shared, int maxCells) {
        List<GridTable.Axis> axes = table.axes();
        long cells = 1;
        for (int a = 0; a < axes.size(); a++) {
            require(axes.get(a), values.get(a));
            int n = values.get(a).size();
            // exact up to Long.MAX_VALUE (the message names the real count), saturating beyond
            cells = n != 0 && cells > Long.MAX_VALUE / n ? Long.MAX_VALUE : cells * n;
        }
        if (cells > maxCells) {
            List<String> names = axes.stream().map(GridTable.Axis::name).toList();
            throw new InvalidInputException("the " + table.noun() + " would have " + cells + " cells (" + String.join(" × ", names)
                    + "); at most " + maxCells + ": drop some " + String.join(", ", names.subList(0, names.size() - 1))
                    + " or " + names.get(names.size() - 1));
        }
        JsonNode params = shared == null || shared.isNull() ? json.createObjectNode() : shared;
        if (!params.isObject()) {
            throw new InvalidInputException("params must be a JSON object of the runs' shared parameters");
        }
        for (GridTable.Axis axis : axes.subList(1, axes.size())) {
            if (params.has(axis.param())) {
                throw new InvalidInputException("params." + axis.param() + " comes from the " + table.noun() + "'s "
                        + axis.name() + "; remove it from params");
            }
        }
        List<NewRun> batch = new ArrayList<>();
        RunGrid shape = new RunGrid(null, table, kind, values.stream().map(v -> List.<Object>copyOf(v)).toList(), params, null, null);
        for (int cell = 0; cell < cells; cell++) {
            ObjectNode p = ((ObjectNode) params).deepCopy();
            for (int a = 1; a < axes.size(); a++) {
                p.set(axes.get(a).param(), json.valueToTree(shape.value(cell, a)));
            }
            batch.add(new NewRun(kind, shape.value(cell, 0).toString(), null, p));
        }
        return runs.submitAll(batch);
    }

    private static void require(GridTable.Axis axis, List<?> list) {
        if (list == null || list.isEmpty()) {
            throw new InvalidInputException(axis.name() + " is empty: give " + axis.hint());
        }
        if (list.stream().anyMatch(x -> x == null || x.toString().isBlank())) {
            throw new InvalidInputException(axis.name() + " has an empty entry: give " + axis.hint());
        }
    }

    /** Stores a grid whose runs {@link #submit} queued; its id is new. */
    public RunGrid store(RunGrid grid) {
        runs.store().insert(grid);
        return grid;
    }

    public String newId() {
        return runs.newId();
    }

    /** Stored grids of the table, newest first. */
    public List<RunGrid> list(GridTable table, int limit) {
        return runs.store().grids(table, limit);
    }

    public RunGrid find(GridTable table, String id) {
        return runs.store().findGrid(table, id).orElseThrow(() -> new UnknownRunException("no " + table.single() + " '" + id
                + "' (GET /api/" + table.sqlTable() + " lists them)"));
    }

    /** Cancels every unfinished cell; finished cells keep their results. */
    public void cancel(RunGrid grid) {
        grid.runs().forEach(runs::cancel);
    }

    /** A cell's run as stored now. */
    public RunRecord run(String id) {
        return runs.find(id);
    }

    /** Every cell's runs as stored now, in cell order. */
    public List<RunRecord> cells(RunGrid grid) {
        return grid.runs().stream().map(runs::find).toList();
    }

    /** A viewer's state of the cells of {@code runIds}, to fold {@link #follow}'s events into. */
    public GridCells cells(List<String> runIds) {
        return new GridCells(runIds, this::run, kinds::picture);
    }

    /**
     * Every cell once as stored now, then each unfinished cell's events from its run's feed, until all are finished.
     * Delivered on a worker thread (the first items are made where the viewer subscribes, maybe an event loop).
     */
    public Multi<CellEvent> follow(List<String> runIds) {
        List<Multi<CellEvent>> cells = new ArrayList<>();
        for (int i = 0; i < runIds.size(); i++) {
            int cell = i;
            Multi<CellEvent> now = Multi.createFrom().item(new CellEvent(cell, null));
            cells.add(runs.find(runIds.get(i)).state().finished() ? now
                    : Multi.createBy().concatenating().streams(now, feed.fromNow(runIds.get(i)).map(e -> new CellEvent(cell, e))));
        }
        return Multi.createBy().merging().withConcurrency(cells.size()).streams(cells).emitOn(Infrastructure.getDefaultWorkerPool());
    }
}
