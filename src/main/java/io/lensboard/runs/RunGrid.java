package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A batch of runs over axes, one run per combination of the axes' values, as stored: {@code values.get(a)} are
 * axis a's values (the table's axes, in order), {@code runs} the run ids cell by cell, the last axis varying fastest.
 */
public record RunGrid(String id, GridTable table, String kind, List<List<Object>> values, JsonNode params,
                      List<String> runs, Instant createdAt) {

    /** Cell {@code cell}'s position on axis {@code axis}. */
    public int index(int cell, int axis) {
        int stride = 1;
        for (int a = values.size() - 1; a > axis; a--) {
            stride *= values.get(a).size();
        }
        return cell / stride % values.get(axis).size();
    }

    /** Cell {@code cell}'s value on axis {@code axis}. */
    public Object value(int cell, int axis) {
        return values.get(axis).get(index(cell, axis));
    }
}
