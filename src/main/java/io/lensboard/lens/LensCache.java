package io.lensboard.lens;

import io.lensboard.analysis.LensResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recent lens results, so that switching the metric or clicking a cell re-renders without recomputing;
 * and the list of recent analyses for the home page. A link never depends on this cache: a miss computes.
 */
final class LensCache {
    private static final int RESULTS = 32;
    private static final int RECENT = 20;

    private final Map<LensQuery, LensResult> results = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<LensQuery, LensResult> eldest) {
            return size() > RESULTS;
        }
    };
    private final List<LensQuery> recent = new ArrayList<>();

    synchronized Optional<LensResult> get(LensQuery query) {
        return Optional.ofNullable(results.get(query));
    }

    synchronized void put(LensQuery query, LensResult result) {
        results.put(query, result);
        recent.remove(query);
        recent.add(0, query);
        if (recent.size() > RECENT) {
            recent.remove(recent.size() - 1);
        }
    }

    synchronized List<LensQuery> recent() {
        return List.copyOf(recent);
    }
}
