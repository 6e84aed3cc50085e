package io.lensboard.why;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LogitAttribution;
import io.lensboard.analysis.Prompts;
import io.lensboard.model.Dtype;

/**
 * One direct logit attribution to compute: a model and its dtype (null: the model's default), and the analysis's
 * request. Validated when built from a request's text (what needs the model, such as pos's range, is checked by
 * {@link LogitAttribution#run}).
 */
public record AttributionQuery(String model, Dtype dtype, LogitAttribution.Request request) {
    public static final int DEFAULT_TOPK = 5;

    /** Checks the parameters in the order the API lists them, with the messages it answers. */
    public static AttributionQuery parse(String model, String dtype, String prompt, String pos, String token, String against,
                                         String layer, String topk) {
        String text = Prompts.lineEndings(prompt);
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException("prompt is empty: pass prompt=<text>");
        }
        if (pos == null || pos.isBlank()) {
            throw new InvalidInputException("pos is missing: pass pos=<position>, 0 for the prompt's first token");
        }
        int p = whole("pos", pos, "a position, 0 for the prompt's first token");
        if (token == null || token.isEmpty()) {
            throw new InvalidInputException("token is missing: pass token=<id> or token=<text of one token>");
        }
        Integer l = layer == null || layer.isBlank() ? null : whole("layer", layer, "a layer, 0 (the embeddings) to the model's last");
        int k = topk == null || topk.isBlank() ? DEFAULT_TOPK : whole("topk", topk, "between 1 and " + LogitAttribution.MAX_TOPK);
        Dtype held = dtype == null || dtype.isBlank() ? null : Dtype.parse(dtype);
        String a = against == null || against.isEmpty() ? null : against;
        return new AttributionQuery(model, held, new LogitAttribution.Request(text, p, token, a, l, k));
    }

    private static int whole(String name, String value, String what) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
            throw new InvalidInputException(name + " must be a whole number, " + what + ", got '" + shown + "'");
        }
    }
}
