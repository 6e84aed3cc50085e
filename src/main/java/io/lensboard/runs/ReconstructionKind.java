package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InputReconstruction;
import io.lensboard.analysis.InputReconstruction.Loss;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Run kind "reconstruction": {@link InputReconstruction} one device task per step, with live progress. */
public final class ReconstructionKind implements RunKind {
    public static final String NAME = "reconstruction";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ObjectNode validate(JsonNode params, Optional<ModelConfig> config) {
        ParamReader r = new ParamReader(params);
        String prompt = r.text("prompt", null);
        if (prompt.isEmpty()) {
            throw new io.lensboard.analysis.InvalidInputException("params.prompt is empty: give the text to reconstruct");
        }
        r.integer("blocks", 1, 0, config.map(ModelConfig::nLayers).orElse(1000));
        r.bool("final_norm", false);
        r.bool("lm_head", true);
        r.choice("loss", "l1", List.of("l1", "l2"));
        r.choice("optimizer", "adam", List.of("adam", "gd"));
        r.number("lr", 0.01, 0, 1000);
        long steps = r.integer("steps", 400, 1, 100_000);
        r.integer("seed", 0, 0, Integer.MAX_VALUE);
        r.integer("topk", 5, 1, 100);
        r.integer("decode_every", Math.min(10, steps), 1, steps);
        r.number("mu", 0.5, -1000, 1000);
        r.number("sigma", 1.0 / 20, 0, 1000);
        r.number("s", 1, -1000, 1000);
        r.number("t", 0, -1000, 1000);
        return r.done();
    }

    static InputReconstruction.Params params(JsonNode p) {
        return new InputReconstruction.Params(p.get("prompt").asText(), p.get("blocks").asInt(), p.get("final_norm").asBoolean(),
                p.get("lm_head").asBoolean(), Loss.valueOf(p.get("loss").asText().toUpperCase()),
                Optimizer.valueOf(p.get("optimizer").asText().toUpperCase()), p.get("lr").asDouble(), p.get("steps").asInt(),
                p.get("seed").asLong(), p.get("topk").asInt(), p.get("decode_every").asInt(),
                p.get("mu").asDouble(), p.get("sigma").asDouble(), p.get("s").asDouble(), p.get("t").asDouble());
    }

    @Override
    public Object execute(RunContext ctx, JsonNode json) {
        InputReconstruction.Params p = params(json);
        if (p.blocks() > ctx.model().config().nLayers()) {
            throw new io.lensboard.analysis.InvalidInputException("params.blocks must be at most " + ctx.model().config().nLayers()
                    + " for " + ctx.model().id());
        }
        InputReconstruction r = ctx.onDevice(m -> new InputReconstruction(m, p));
        try {
            LensTokenizer tok = ctx.model().tokenizer();
            ctx.emit("target", Map.of("ids", r.target(), "tokens", tok.texts(r.target()), "m", r.yardstick()));
            double loss = Double.NaN;
            for (int n = 0; n < p.steps(); n++) {
                if (ctx.cancelled()) {
                    return null;
                }
                InputReconstruction.Step s = ctx.onDevice(m -> r.step());
                loss = s.loss();
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("step", s.step());
                event.put("loss", s.loss());
                if (s.ids() != null) {
                    event.put("ids", s.ids());
                    event.put("tokens", tok.texts(s.ids()));
                }
                ctx.emit("step", event);
            }
            double finalLoss = loss;
            InputReconstruction.Result result = ctx.onDevice(m -> r.result(finalLoss));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", result.ids());
            out.put("text", result.text());
            out.put("tokens", tok.texts(result.ids()));
            out.put("target", result.target());
            out.put("target_tokens", tok.texts(result.target()));
            out.put("exact_fraction", result.exactFraction());
            out.put("m", result.m());
            out.put("m_g", result.mG());
            out.put("success", result.success());
            out.put("final_loss", result.finalLoss());
            out.put("topk", result.topk());
            out.put("topk_tokens", Arrays.stream(result.topk()).map(tok::texts).toList());
            return out;
        } finally {
            ctx.onDevice(m -> {
                r.close();
                return null;
            });
        }
    }
}
