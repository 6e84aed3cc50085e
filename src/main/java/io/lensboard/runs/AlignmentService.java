package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.lensboard.analysis.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Starts, finds and cancels alignment tables: grids of feature runs ({@link RunGrids}). */
@ApplicationScoped
public class AlignmentService {
    public static final int MAX_CELLS = 128;

    @Inject
    RunGrids grids;

    @Inject
    RunKinds kinds;

    /** What POST /api/alignments takes. */
    public record NewAlignment(String kind, List<String> models, List<Integer> layers, List<String> features, JsonNode params) {}

    /** Validates the table and every cell's run, then queues all cells together (or none) and stores the table. */
    public Alignment start(NewAlignment a) {
        List<String> tableKinds = kinds.featureKinds().stream().map(RunKind::name).toList();
        if (a.kind() == null || !tableKinds.contains(a.kind())) {
            throw new InvalidInputException("kind must be one of " + tableKinds + ", got '" + a.kind() + "'");
        }
        if (a.layers() != null && a.layers().stream().anyMatch(l -> l != null && l < 1)) {
            throw new InvalidInputException("layers are 1-based block numbers, each at least 1: got " + a.layers());
        }
        JsonNode params = a.params() == null || a.params().isNull() ? JsonNodeFactory.instance.objectNode() : a.params();
        List<RunRecord> started = grids.submit(GridTable.ALIGNMENTS, a.kind(), Arrays.asList(a.models(), a.layers(), a.features()),
                params, MAX_CELLS);
        // the runs' own spelling of models and features (a slice as the kind normalised it)
        int columns = a.features().size();
        List<Object> features = started.subList(0, columns).stream().map(run -> (Object) run.params().get("feature").asText()).toList();
        List<Object> models = new ArrayList<>();
        for (int r = 0; r < started.size(); r += columns * a.layers().size()) {
            models.add(started.get(r).model());
        }
        RunGrid grid = grids.store(new RunGrid(grids.newId(), GridTable.ALIGNMENTS, a.kind(),
                List.of(models, List.copyOf(a.layers()), features), params, started.stream().map(RunRecord::id).toList(), Instant.now()));
        return Alignment.of(grid);
    }

    /** Stored tables, newest first. */
    public List<Alignment> list(int limit) {
        return grids.list(GridTable.ALIGNMENTS, limit).stream().map(Alignment::of).toList();
    }

    public Alignment find(String id) {
        return Alignment.of(grids.find(GridTable.ALIGNMENTS, id));
    }

    /** Cancels every unfinished cell; finished cells keep their results. */
    public Alignment cancel(String id) {
        RunGrid g = grids.find(GridTable.ALIGNMENTS, id);
        grids.cancel(g);
        return Alignment.of(g);
    }

    /** A cell's run as stored now. */
    public RunRecord cell(Alignment a, int row, int column) {
        return grids.run(a.runs().get(row).get(column));
    }
}
