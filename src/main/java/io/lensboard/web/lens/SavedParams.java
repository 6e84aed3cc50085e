package io.lensboard.web.lens;

import io.lensboard.lens.SavedAnalysis;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

/**
 * A short link's URL ({@code @BeanParam}): the stored analysis's id and the view asked for. On the page an absent
 * metric, topk or sub is the stored one; a fragment's URL says its whole view, as the query-string fragments do.
 */
public record SavedParams(@PathParam("id") String id,
                          @QueryParam("metric") String metric,
                          @QueryParam("topk") String topk,
                          @QueryParam("sub") String sub) {

    /** The lens of the analysis's {@code side}-th model (0, or 1 for a comparison's B) through its stored decoder and ablation, with this view. */
    LensParams lens(SavedAnalysis a, int side, boolean page) {
        return new LensParams(a.models().get(side), a.prompt(),
                metric != null ? metric : page ? a.metric() : null,
                topk != null ? topk : page ? String.valueOf(a.topk()) : "5",
                sub != null ? sub : page && a.sub() ? "1" : "0", null, a.decoder(side), a.ablation(side).ablate(),
                a.ablation(side).mode());
    }
}
