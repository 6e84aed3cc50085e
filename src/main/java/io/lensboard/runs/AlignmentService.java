package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Starts, finds and cancels alignment tables; each cell is an ordinary run, stored and followed as one. */
@ApplicationScoped
public class AlignmentService {
    public static final int MAX_CELLS = 128;

    @Inject
    RunService runs;

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
        require("models", a.models(), "model ids, e.g. [\"gpt2-tiny\", \"gpt2-tiny:untrained\"]");
        require("layers", a.layers(), "1-based block numbers, e.g. [1, 4, 8, 12]");
        require("features", a.features(), "slices, e.g. [\"[:, :, 17]\", \"[:, :, 2000-2004]\"]");
        if (a.layers().stream().anyMatch(l -> l == null || l < 1)) {
            throw new InvalidInputException("layers are 1-based block numbers, each at least 1: got " + a.layers());
        }
        long cells = (long) a.models().size() * a.layers().size() * a.features().size(); // each list is shorter than 2^31
        if (cells > MAX_CELLS) {
            throw new InvalidInputException("the table would have " + cells + " cells (models × layers × features); at most "
                    + MAX_CELLS + ": drop some models, layers or features");
        }
        JsonNode params = a.params() == null || a.params().isNull() ? JsonNodeFactory.instance.objectNode() : a.params();
        if (!params.isObject()) {
            throw new InvalidInputException("params must be a JSON object of the runs' shared parameters");
        }
        for (String fixed : List.of("layer", "feature")) {
            if (params.has(fixed)) {
                throw new InvalidInputException("params." + fixed + " comes from the table's " + fixed + "s; remove it from params");
            }
        }
        List<RunService.NewRun> batch = new ArrayList<>();
        for (String model : a.models()) {
            for (int layer : a.layers()) {
                for (String feature : a.features()) {
                    ObjectNode p = ((ObjectNode) params).deepCopy();
                    p.put("layer", layer);
                    p.put("feature", feature);
                    batch.add(new RunService.NewRun(a.kind(), model, p));
                }
            }
        }
        List<RunRecord> started = runs.submitAll(batch);
        List<List<String>> ids = new ArrayList<>();
        int columns = a.features().size();
        for (int r = 0; r < started.size() / columns; r++) {
            ids.add(started.subList(r * columns, (r + 1) * columns).stream().map(RunRecord::id).toList());
        }
        List<String> features = started.subList(0, columns).stream().map(run -> run.params().get("feature").asText()).toList();
        List<String> models = new ArrayList<>();
        for (int r = 0; r < started.size(); r += columns * a.layers().size()) {
            models.add(started.get(r).model());
        }
        Alignment table = new Alignment(runs.newId(), a.kind(), models, List.copyOf(a.layers()), features, params,
                ids, Instant.now());
        runs.store().insert(table);
        return table;
    }

    private static void require(String name, List<?> list, String what) {
        if (list == null || list.isEmpty()) {
            throw new InvalidInputException(name + " is empty: give " + what);
        }
        if (list.stream().anyMatch(x -> x == null || x.toString().isBlank())) {
            throw new InvalidInputException(name + " has an empty entry: give " + what);
        }
    }

    /** Stored tables, newest first. */
    public List<Alignment> list(int limit) {
        return runs.store().alignments(limit);
    }

    public Alignment find(String id) {
        return runs.store().findAlignment(id)
                .orElseThrow(() -> new UnknownRunException("no alignment '" + id + "' (GET /api/alignments lists them)"));
    }

    /** Cancels every unfinished cell; finished cells keep their results. */
    public Alignment cancel(String id) {
        Alignment a = find(id);
        a.runs().forEach(row -> row.forEach(runs::cancel));
        return a;
    }

    /** A cell's run as stored now. */
    public RunRecord cell(Alignment a, int row, int column) {
        return runs.find(a.runs().get(row).get(column));
    }
}
