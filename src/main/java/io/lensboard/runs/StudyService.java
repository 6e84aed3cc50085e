package io.lensboard.runs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.lensboard.analysis.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Starts, finds and cancels studies: grids ({@link RunGrids}) of one run kind over models × blocks × lm_head ×
 * seeds, e.g. the write-up's comparison (trained vs untrained, with and without the LM head, one block vs more).
 */
@ApplicationScoped
public class StudyService {
    /** As many cells as an alignment table; a batch is queued whole even past the run queue limit. */
    public static final int MAX_CELLS = 128;

    @Inject
    RunGrids grids;

    @Inject
    RunKinds kinds;

    /** What POST /api/studies takes. */
    public record NewStudy(String kind, List<String> models, List<Integer> blocks, @JsonProperty("lm_head") List<Boolean> lmHead,
                           List<Long> seeds, JsonNode params) {}

    /** The kinds that can be studied ({@link Studyable}). */
    public List<String> studyKinds() {
        return kinds.studyable().stream().map(RunKind::name).toList();
    }

    /** The study's table: its kind's columns and figures over the grid's rows. */
    public StudyTable table(RunGrid g) {
        return new StudyTable(g, (Studyable<?>) kinds.get(g.kind()));
    }

    /** Validates the axes and every cell's run, then queues all cells together (or none) and stores the study. */
    public RunGrid start(NewStudy s) {
        if (s.kind() == null || !studyKinds().contains(s.kind())) {
            throw new InvalidInputException("kind must be one of " + studyKinds() + ", got '" + s.kind() + "'");
        }
        if (s.blocks() != null && s.blocks().stream().anyMatch(b -> b != null && b < 0)) {
            throw new InvalidInputException("blocks are block counts, each at least 0: got " + s.blocks());
        }
        if (s.seeds() != null && s.seeds().stream().anyMatch(seed -> seed != null && seed < 0)) {
            throw new InvalidInputException("seeds must be at least 0: got " + s.seeds());
        }
        JsonNode params = s.params() == null || s.params().isNull() ? JsonNodeFactory.instance.objectNode() : s.params();
        List<List<?>> values = Arrays.asList(s.models(), s.blocks(), s.lmHead(), s.seeds()); // any may be missing
        List<RunRecord> started = grids.submit(GridTable.STUDIES, s.kind(), values, params, MAX_CELLS);
        return grids.store(new RunGrid(grids.newId(), GridTable.STUDIES, s.kind(),
                values.stream().map(v -> List.<Object>copyOf(v)).toList(), params, started.stream().map(RunRecord::id).toList(),
                Instant.now()));
    }

    /** Stored studies, newest first. */
    public List<RunGrid> list(int limit) {
        return grids.list(GridTable.STUDIES, limit);
    }

    public RunGrid find(String id) {
        return grids.find(GridTable.STUDIES, id);
    }

    /** Cancels every unfinished cell; finished cells keep their results. */
    public RunGrid cancel(String id) {
        RunGrid g = find(id);
        grids.cancel(g);
        return g;
    }

    /**
     * The study's state from its cells': queued (all queued), running (any unfinished), done (all done), or finished
     * (all finished, some failed, cancelled or interrupted).
     */
    public static String state(List<RunRecord> cells) {
        if (cells.stream().allMatch(r -> r.state() == RunState.QUEUED)) {
            return "queued";
        }
        if (cells.stream().anyMatch(r -> !r.state().finished())) {
            return "running";
        }
        return cells.stream().allMatch(r -> r.state() == RunState.DONE) ? "done" : "finished";
    }

    /** Every cell's run as stored now, in cell order. */
    public List<RunRecord> cells(RunGrid g) {
        return grids.cells(g);
    }
}
