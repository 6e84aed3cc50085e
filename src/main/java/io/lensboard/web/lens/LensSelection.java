package io.lensboard.web.lens;

import io.lensboard.lens.LensQuery;

/** A validated lens view: what to compute ({@code key}), what colours the cells, and its links. */
public record LensSelection(LensQuery key, LensMetric metric, LensLinks links) {

    /** The same view, its links naming the stored analysis {@code id} (a short link); null: query-string links. */
    public LensSelection withId(String id) {
        return new LensSelection(key, metric, links.withId(id));
    }
}
