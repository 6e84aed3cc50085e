package io.lensboard.web.lens;

import io.lensboard.lens.LensQuery;

/** A validated lens view: what to compute ({@code key}), what colours the cells, and its links. */
public record LensSelection(LensQuery key, LensMetric metric, LensLinks links) {}
