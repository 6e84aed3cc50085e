package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * The write-up's alignment table: the same features across blocks and models. One row per (model, layer),
 * models outermost; one column per feature; each cell a run of {@code kind}, {@code runs[row][column]}.
 */
public record Alignment(String id, String kind, List<String> models, List<Integer> layers, List<String> features,
                        JsonNode params, List<List<String>> runs, Instant createdAt) {

    public String model(int row) {
        return models.get(row / layers.size());
    }

    public int layer(int row) {
        return layers.get(row % layers.size());
    }

    public int rows() {
        return models.size() * layers.size();
    }
}
