package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.ExhaustiveSearch;
import io.lensboard.analysis.Feature;
import io.lensboard.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Run kind "exhaustive": every token as a one-token input, a device task per batch; a {@code batch} event
 * after each with the tokens done and the best so far. Result {@code {"top":[{"id","text","value"}]}}.
 */
public final class ExhaustiveKind implements RunKind {
    public static final String NAME = "exhaustive";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ObjectNode validate(JsonNode params, Optional<ModelConfig> config) {
        ParamReader r = new ParamReader(params);
        FeatureParams.read(r, config).slice().checkPositions(1);
        r.integer("topk", 10, 1, 100);
        r.integer("batch", 2048, 1, 65536);
        return r.done();
    }

    @Override
    public Object execute(RunContext ctx, JsonNode p) {
        Feature feature = FeatureParams.of(p);
        int topk = p.get("topk").asInt();
        ExhaustiveSearch search = ctx.onDevice(m -> new ExhaustiveSearch(m, feature, p.get("batch").asInt()));
        while (!search.finished()) {
            if (ctx.cancelled()) {
                return null;
            }
            int done = ctx.onDevice(m -> search.next());
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("tokens_done", done);
            event.put("vocabulary", search.vocabulary());
            event.put("top", search.top(topk));
            ctx.emit("batch", event);
        }
        return Map.of("top", search.top(topk));
    }
}
