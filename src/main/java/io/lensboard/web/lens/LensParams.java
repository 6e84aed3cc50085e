package io.lensboard.web.lens;

import io.lensboard.lens.LensQuery;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;

/**
 * A lens page's or fragment's query, as the URL gives it ({@code @BeanParam}); {@link #selection} validates it.
 * {@code dtype} empty: the model's default.
 */
public record LensParams(@QueryParam("model") String model,
                         @QueryParam("prompt") String prompt,
                         @QueryParam("metric") String metric,
                         @QueryParam("topk") @DefaultValue("5") String topk,
                         @QueryParam("sub") @DefaultValue("0") String sub,
                         @QueryParam("dtype") String dtype,
                         @QueryParam("decoder") String decoder,
                         @QueryParam("ablate") String ablate,
                         @QueryParam("ablation") String ablation) {

    /* One constructor only: Quarkus REST builds a @BeanParam record through its canonical constructor. */

    /**
     * Validates prompt, topk, sub, decoder and the ablation as the API does, then the metric; the model and lens are the service's to
     * check. Its links carry the query until {@link LensSelection#withId} names a stored analysis.
     */
    public LensSelection selection() {
        LensQuery query = LensQuery.parse(model, dtype, prompt, topk, sub, decoder, ablate, ablation);
        LensMetric m = LensMetric.parse(metric);
        return new LensSelection(query, m, new LensLinks(null, query.model(), query.prompt(), m.key, query.topk(), query.sub(),
                query.dtype() == null ? null : query.dtype().id, query.decoder(), query.ablation()));
    }
}
