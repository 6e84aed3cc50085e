package io.lensboard.web;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;

/** The compare page's query ({@code @BeanParam}): two models on one prompt, each side validated as a lens page. */
public record CompareParams(@QueryParam("a") String a,
                            @QueryParam("b") String b,
                            @QueryParam("prompt") String prompt,
                            @QueryParam("metric") String metric,
                            @QueryParam("topk") @DefaultValue("5") String topk,
                            @QueryParam("sub") @DefaultValue("0") String sub) {

    /** Nothing asked yet: the page shows its form only. */
    public boolean isEmpty() {
        return a == null && b == null && prompt == null;
    }

    public LensSelection side(String model) {
        return new LensParams(model, prompt, metric, topk, sub).selection();
    }
}
