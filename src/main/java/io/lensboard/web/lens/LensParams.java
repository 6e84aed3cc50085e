package io.lensboard.web.lens;

import io.lensboard.lens.LensQuery;
import io.lensboard.lens.SavedAnalysis;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import java.util.List;

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
                         @QueryParam("decoder") String decoder) {

    /* One constructor only: Quarkus REST builds a @BeanParam record through its canonical constructor. */

    /** Validates prompt, topk, sub and decoder as the API does, then the metric; the model and lens are the service's to check. */
    public LensSelection selection() {
        return selection(null);
    }

    /** The same, its links naming the stored analysis {@code id} (a short link) when there is one. */
    public LensSelection selection(String id) {
        LensQuery query = LensQuery.parse(model, dtype, prompt, topk, sub, decoder);
        LensMetric m = LensMetric.parse(metric);
        return new LensSelection(query, m, new LensLinks(id, model, query.prompt(), m.key, query.topk(), query.sub(),
                query.dtype() == null ? null : query.dtype().id, query.decoder()));
    }

    /** What a short link stores for a validated selection. */
    static SavedAnalysis saved(LensSelection p) {
        return SavedAnalysis.of(SavedAnalysis.Kind.LENS, List.of(p.key().model()), List.of(p.key().decoder()), p.key().prompt(), p.metric().key,
                p.key().topk(), p.key().sub());
    }
}
