package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.GreedySearch;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.TokenValue;
import io.lensboard.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run kind "greedy": left-to-right search, a device task per batch of candidates; a {@code batch} event with
 * the progress after each, and a {@code token} event as each token is chosen. {@code read} is {@code last}
 * (the feature at the last position) or {@code sum} (summed over all positions). Result {@code {"ids","text"}}
 * plus each token's text and the feature's value once it was appended.
 */
public final class GreedyKind implements RunKind {
    public static final String NAME = "greedy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ObjectNode validate(JsonNode params, Optional<ModelConfig> config) {
        ParamReader r = new ParamReader(params);
        Feature f = FeatureParams.read(r, config);
        if (!f.slice().positions().all()) {
            throw new InvalidInputException("params.feature: greedy search reads the last position "
                    + "(or sums over all with read=sum), so write the position part as ':', e.g. [:, :, " + f.slice().neurons().text() + "]");
        }
        r.integer("tokens", 4, 1, config.map(ModelConfig::nCtx).orElse(64));
        r.choice("read", "last", List.of("last", "sum"));
        r.integer("batch", 2048, 1, 65536);
        return r.done();
    }

    @Override
    public Object execute(RunContext ctx, JsonNode p) {
        Feature feature = FeatureParams.of(p);
        Feature.Read read = p.get("read").asText().equals("sum") ? Feature.Read.SUM : Feature.Read.LAST;
        GreedySearch search = ctx.onDevice(m -> new GreedySearch(m, feature, read, p.get("tokens").asInt(), p.get("batch").asInt()));
        try {
            while (!search.finished()) {
                if (ctx.cancelled()) {
                    return null;
                }
                TokenValue chosen = ctx.onDevice(m -> search.next());
                ctx.emit("batch", Map.of("candidates_done", search.candidatesDone(), "candidates_total", search.candidatesTotal()));
                if (chosen != null) {
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("position", search.chosen().size() - 1);
                    event.put("token", chosen);
                    event.put("ids", search.ids());
                    event.put("tokens", ctx.model().tokenizer().texts(search.ids()));
                    ctx.emit("token", event);
                }
            }
        } finally {
            ctx.onDevice(m -> {
                search.close();
                return null;
            });
        }
        long[] ids = search.ids();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ids", ids);
        out.put("text", ctx.model().tokenizer().decode(ids));
        out.put("tokens", ctx.model().tokenizer().texts(ids));
        out.put("values", search.chosen().stream().mapToDouble(TokenValue::value).toArray());
        return out;
    }
}
