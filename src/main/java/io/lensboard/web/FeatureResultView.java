package io.lensboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A feature run's result as table rows: ranked tokens (exhaustive) or tokens by position (greedy, ascent). */
public final class FeatureResultView {
    private FeatureResultView() {}

    /** {@code value}: the token's feature value (exhaustive) or the feature after it (greedy); {@code alternatives}: top-k decodings. */
    public record Row(int index, String token, long id, String value, List<String> alternatives) {}

    public static List<Row> of(JsonNode result) {
        List<Row> rows = new ArrayList<>();
        if (result.has("top")) {
            JsonNode top = result.get("top");
            for (int i = 0; i < top.size(); i++) {
                JsonNode t = top.get(i);
                rows.add(new Row(i + 1, TokenDisplay.visible(t.get("text").asText()), t.get("id").asLong(),
                        AlignmentView.number(t.get("value").asDouble()), List.of()));
            }
            return rows;
        }
        for (int i = 0; i < result.get("ids").size(); i++) {
            List<String> alternatives = new ArrayList<>();
            if (result.has("topk_tokens")) {
                result.get("topk_tokens").get(i).forEach(t -> alternatives.add(TokenDisplay.visible(t.asText())));
            }
            String value = result.has("values") ? AlignmentView.number(result.get("values").get(i).asDouble()) : null;
            rows.add(new Row(i, TokenDisplay.visible(result.get("tokens").get(i).asText()), result.get("ids").get(i).asLong(),
                    value, alternatives));
        }
        return rows;
    }
}
