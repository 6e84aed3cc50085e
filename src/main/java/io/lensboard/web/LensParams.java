package io.lensboard.web;

import io.lensboard.lens.LensQuery;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;

/** A lens page's or fragment's query, as the URL gives it ({@code @BeanParam}); {@link #selection} validates it. */
public record LensParams(@QueryParam("model") String model,
                         @QueryParam("prompt") String prompt,
                         @QueryParam("metric") String metric,
                         @QueryParam("topk") @DefaultValue("5") String topk,
                         @QueryParam("sub") @DefaultValue("0") String sub) {

    /** Validates prompt, topk and sub as the API does, then the metric; the model is the service's to check. */
    public LensSelection selection() {
        LensQuery query = LensQuery.parse(model, prompt, topk, sub);
        LensMetric m = LensMetric.parse(metric);
        return new LensSelection(query, m, new LensLinks(model, query.prompt(), m.key, query.topk(), query.sub()));
    }
}
