package io.lensboard.web.why;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.analysis.LogitAttribution;

/**
 * What the attribution page shows: the result, its JSON for the chart (embedded in the page, so that the chart needs
 * no second computation), Σ contributions + bias beside the logit, and the page's links.
 */
public record AttributionView(LogitAttribution.Result result, String data, double sum, String csv, String json, String api,
                              String lens) {

    static AttributionView of(LogitAttribution.Result r, AttributionParams params, ObjectMapper mapper) {
        String data;
        try {
            // inside <script type="application/json">: a token's "</script>" must not end the element
            data = mapper.writeValueAsString(r).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        double sum = r.bias() + r.components().stream().mapToDouble(LogitAttribution.Component::contribution).sum();
        String q = params.queryString();
        return new AttributionView(r, data, sum, "/api/attribution/csv?" + q, "/api/attribution/json?" + q,
                "/api/attribution?" + q, params.lensLink());
    }

    /** What the cell's residual is: "the embeddings" for layer 0, else "after block l − 1". */
    public String residual() {
        return result.layer() == 0 ? "the embeddings (hook_resid_pre of block 0)" : "after block " + (result.layer() - 1)
                + " (blocks.%d.hook_resid_post)".formatted(result.layer() - 1);
    }
}
