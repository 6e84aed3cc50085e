package io.lensboard.web.why;

import io.lensboard.web.common.Dtypes;
import io.lensboard.why.AttentionQuery;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The attention API's and page's query ({@code @BeanParam}): a model, its dtype and a prompt. */
public record AttentionParams(@QueryParam("model") @Parameter(description = "model id (GET /api/models)") String model,
                              @QueryParam("dtype") @Parameter(description = Dtypes.DESCRIPTION) String dtype,
                              @QueryParam("prompt") String prompt) {

    public AttentionQuery query() {
        return AttentionQuery.parse(model, dtype, prompt);
    }
}
