package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-up's alignment table: the same features across blocks and models. One row per (model, layer),
 * models outermost; one column per feature; each cell a run of {@code kind}, {@code runs[row][column]}.
 * Stored as a {@link RunGrid} over the axes models, layers, features.
 */
public record Alignment(String id, String kind, List<String> models, List<Integer> layers, List<String> features,
                        JsonNode params, List<List<String>> runs, Instant createdAt) {

    /** The table a grid of {@link GridTable#ALIGNMENTS} lays out. */
    public static Alignment of(RunGrid g) {
        List<String> features = g.values().get(2).stream().map(Object::toString).toList();
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < g.runs().size(); r += features.size()) {
            rows.add(g.runs().subList(r, r + features.size()));
        }
        return new Alignment(g.id(), g.kind(), g.values().get(0).stream().map(Object::toString).toList(),
                g.values().get(1).stream().map(l -> ((Number) l).intValue()).toList(), features, g.params(), rows, g.createdAt());
    }

    public String model(int row) {
        return models.get(row / layers.size());
    }

    public int layer(int row) {
        return layers.get(row % layers.size());
    }

    public int rows() {
        return models.size() * layers.size();
    }

    /** Every cell's run id, row by row. */
    public List<String> runIds() {
        return runs.stream().flatMap(List::stream).toList();
    }
}
