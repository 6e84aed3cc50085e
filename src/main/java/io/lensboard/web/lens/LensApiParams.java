package io.lensboard.web.lens;

import io.lensboard.lens.LensQuery;
import io.lensboard.web.common.Dtypes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The lens API's query ({@code @BeanParam}): a model and its dtype, a prompt, top-k, the sub-block switch, the decoder and the ablation. */
public record LensApiParams(@QueryParam("model") @Parameter(description = "model id (GET /api/models)") String model,
                            @QueryParam("dtype") @Parameter(description = Dtypes.DESCRIPTION) String dtype,
                            @QueryParam("prompt") String prompt,
                            @QueryParam("topk") @DefaultValue("5") @Parameter(description = "1..100") String topk,
                            @QueryParam("sub") @DefaultValue("false")
                            @Parameter(description = "also decode hook_resid_mid (after each block's attention)") String sub,
                            @QueryParam("decoder") @DefaultValue("logit")
                            @Parameter(description = "logit, or tuned:<lens id> (GET /api/lenses)") String decoder,
                            @QueryParam("ablate") @Parameter(description = Ablations.ABLATE) String ablate,
                            @QueryParam("ablation") @Parameter(description = Ablations.MODE) String ablation) {

    public LensQuery query() {
        return LensQuery.parse(model, dtype, prompt, topk, sub, decoder, ablate, ablation);
    }
}
