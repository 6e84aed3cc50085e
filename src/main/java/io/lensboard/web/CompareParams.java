package io.lensboard.web;

import io.lensboard.lens.SavedAnalysis;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/**
 * The compare page's query ({@code @BeanParam}): two models on one prompt, each through its decoder ({@code da},
 * {@code db}: logit by default, or tuned:{lens}; the same model through both is "logit vs tuned"), each side
 * validated as a lens page.
 */
public record CompareParams(@QueryParam("a") String a,
                            @QueryParam("b") String b,
                            @QueryParam("prompt") String prompt,
                            @QueryParam("metric") String metric,
                            @QueryParam("topk") @DefaultValue("5") String topk,
                            @QueryParam("sub") @DefaultValue("0") String sub,
                            @QueryParam("da") String da,
                            @QueryParam("db") String db) {

    /** Nothing asked yet: the page shows its form only. */
    public boolean isEmpty() {
        return a == null && b == null && prompt == null;
    }

    /** One side's lens page query. */
    public LensParams side(String model, String decoder) {
        return new LensParams(model, prompt, metric, topk, sub, decoder);
    }

    /** What a comparison's short link stores, from its two validated sides. */
    static SavedAnalysis saved(LensSelection pa, LensSelection pb) {
        return SavedAnalysis.of(SavedAnalysis.Kind.COMPARE, List.of(pa.key().model(), pb.key().model()),
                List.of(pa.key().decoder(), pb.key().decoder()), pa.key().prompt(),
                pa.metric().key, pa.key().topk(), pa.key().sub());
    }

    /** A stored comparison's query. */
    static CompareParams of(SavedAnalysis a) {
        return new CompareParams(a.models().get(0), a.models().get(1), a.prompt(), a.metric(), String.valueOf(a.topk()),
                a.sub() ? "1" : "0", a.decoder(0), a.decoder(1));
    }
}
