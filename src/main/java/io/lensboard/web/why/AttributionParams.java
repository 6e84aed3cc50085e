package io.lensboard.web.why;

import io.lensboard.analysis.LogitAttribution;
import io.lensboard.web.common.Dtypes;
import io.lensboard.why.AttributionQuery;
import jakarta.ws.rs.QueryParam;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Direct logit attribution's query, for the API and the page ({@code @BeanParam}), as the URL gives it. */
public record AttributionParams(@QueryParam("model") @Parameter(description = "model id (GET /api/models)") String model,
                                @QueryParam("dtype") @Parameter(description = Dtypes.DESCRIPTION) String dtype,
                                @QueryParam("prompt") String prompt,
                                @QueryParam("pos") @Parameter(description = "the position attributed, 0-based") String pos,
                                @QueryParam("token") @Parameter(description = TOKEN) String token,
                                @QueryParam("against") @Parameter(description = "optional: the logit difference token − against; "
                                        + TOKEN) String against,
                                @QueryParam("layer") @Parameter(description = "0 (the embeddings) .. the model's number of "
                                        + "blocks (default: the output), as the lens's rows") String layer,
                                @QueryParam("topk") @Parameter(description = "promoted and suppressed tokens per component, 1.."
                                        + LogitAttribution.MAX_TOPK + " (default " + AttributionQuery.DEFAULT_TOPK + ")") String topk) {

    static final String TOKEN = "a token id (digits), or a text that is exactly one token, e.g. ' cat'";

    public AttributionQuery query() {
        return AttributionQuery.parse(model, dtype, prompt, pos, token, against, layer, topk);
    }

    /** The parameters given, as a query string (for the page's export and lens links); {@code layer} as given. */
    public String queryString() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("model", model);
        given.put("dtype", dtype);
        given.put("prompt", prompt);
        given.put("pos", pos);
        given.put("token", token);
        given.put("against", against);
        given.put("layer", layer);
        given.put("topk", topk);
        return given.entrySet().stream().filter(e -> e.getValue() != null && !e.getValue().isEmpty())
                .map(e -> e.getKey() + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
    }

    /** The lens page this attribution explains a cell of. */
    public String lensLink() {
        return "/lens?model=" + encode(model == null ? "" : model) + "&prompt=" + encode(prompt == null ? "" : prompt)
                + (dtype == null || dtype.isEmpty() ? "" : "&dtype=" + encode(dtype));
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
