package io.lensboard.web.compare;

import io.lensboard.lens.SavedAnalysis;
import io.lensboard.web.lens.LensParams;
import io.lensboard.web.lens.LensSelection;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/**
 * The compare page's query ({@code @BeanParam}): two models on one prompt, each side validated as a lens page, each in
 * its own dtype ({@code dtype_a}, {@code dtype_b}; empty: the model's default), so one model in bfloat16 can face itself
 * in float32, and each through its decoder ({@code da}, {@code db}: logit by default, or tuned:{lens}; the same model
 * through both is "logit vs tuned"), and each with its ablation ({@code ablate_a}, {@code ablation_a}, {@code ablate_b},
 * {@code ablation_b}: none by default; the same model and prompt with and without one shows what the components did).
 */
public record CompareParams(@QueryParam("a") String a,
                            @QueryParam("b") String b,
                            @QueryParam("prompt") String prompt,
                            @QueryParam("metric") String metric,
                            @QueryParam("topk") @DefaultValue("5") String topk,
                            @QueryParam("sub") @DefaultValue("0") String sub,
                            @QueryParam("dtype_a") String dtypeA,
                            @QueryParam("dtype_b") String dtypeB,
                            @QueryParam("da") String da,
                            @QueryParam("db") String db,
                            @QueryParam("ablate_a") String ablateA,
                            @QueryParam("ablation_a") String ablationA,
                            @QueryParam("ablate_b") String ablateB,
                            @QueryParam("ablation_b") String ablationB) {

    /** Nothing asked yet: the page shows its form only. */
    public boolean isEmpty() {
        return a == null && b == null && prompt == null;
    }

    /** Side A's lens page query. */
    public LensParams sideA() {
        return new LensParams(a, prompt, metric, topk, sub, dtypeA, da, ablateA, ablationA);
    }

    /** Side B's lens page query. */
    public LensParams sideB() {
        return new LensParams(b, prompt, metric, topk, sub, dtypeB, db, ablateB, ablationB);
    }

    /** What a comparison's short link stores, from its two validated sides. */
    static SavedAnalysis saved(LensSelection pa, LensSelection pb) {
        return SavedAnalysis.of(SavedAnalysis.Kind.COMPARE, List.of(pa.key().model(), pb.key().model()),
                List.of(pa.key().decoder(), pb.key().decoder()), List.of(pa.key().ablation(), pb.key().ablation()), pa.key().prompt(),
                pa.metric().key, pa.key().topk(), pa.key().sub());
    }

    /** The same comparison coloured by {@code metric}; null or blank keeps this one's. */
    CompareParams withMetric(String metric) {
        return metric == null || metric.isBlank() ? this : new CompareParams(a, b, prompt, metric, topk, sub, dtypeA, dtypeB, da, db,
                ablateA, ablationA, ablateB, ablationB);
    }

    /** A stored comparison's query. */
    static CompareParams of(SavedAnalysis a) {
        return new CompareParams(a.models().get(0), a.models().get(1), a.prompt(), a.metric(), String.valueOf(a.topk()),
                a.sub() ? "1" : "0", null, null, a.decoder(0), a.decoder(1), a.ablation(0).ablate(), a.ablation(0).mode(),
                a.ablation(1).ablate(), a.ablation(1).mode());
    }
}
