package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.FeatureAscent;
import io.lensboard.analysis.FeatureAscent.Input;
import io.lensboard.analysis.FeatureAscent.Objective;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run kinds "ascent" (gradient ascent on the input embedding) and "softmax-prior" (on logits whose softmax
 * weights the token embeddings): {@link FeatureAscent} one device task per step; a {@code step} event each
 * step with the objective and the feature, and the current tokens (top-1 and top-k per position) every
 * {@code decode_every} steps.
 */
public final class AscentKind implements RunKind {
    private final Input input;

    private AscentKind(Input input) {
        this.input = input;
    }

    public static AscentKind embedding() {
        return new AscentKind(Input.EMBEDDING);
    }

    public static AscentKind softmaxPrior() {
        return new AscentKind(Input.SOFTMAX_PRIOR);
    }

    @Override
    public String name() {
        return input == Input.EMBEDDING ? "ascent" : "softmax-prior";
    }

    @Override
    public ObjectNode validate(JsonNode params, Optional<ModelConfig> config) {
        ParamReader r = new ParamReader(params);
        Feature f = FeatureParams.read(r, config);
        int tokens = (int) r.integer("tokens", 4, 1, config.map(ModelConfig::nCtx).orElse(1024));
        f.slice().checkPositions(tokens);
        r.choice("objective", "mean", List.of("mean", "l1"));
        r.number("c", 100, -1e9, 1e9);
        r.choice("optimizer", "adam", List.of("adam", "gd"));
        r.number("lr", input == Input.EMBEDDING ? 0.01 : 0.1, 0, 1000);
        long steps = r.integer("steps", 200, 1, 100_000);
        r.integer("seed", 0, 0, Integer.MAX_VALUE);
        r.number("init_scale", 1, 0, 1000);
        r.integer("topk", 5, 1, 100);
        r.integer("decode_every", Math.min(10, steps), 1, steps);
        return r.done();
    }

    static FeatureAscent.Params params(Input input, JsonNode p) {
        return new FeatureAscent.Params(input, FeatureParams.of(p), p.get("tokens").asInt(),
                Objective.valueOf(p.get("objective").asText().toUpperCase()), p.get("c").asDouble(),
                Optimizer.valueOf(p.get("optimizer").asText().toUpperCase()), p.get("lr").asDouble(), p.get("steps").asInt(),
                p.get("seed").asLong(), p.get("init_scale").asDouble(), p.get("topk").asInt(), p.get("decode_every").asInt());
    }

    @Override
    public Object execute(RunContext ctx, JsonNode json) {
        FeatureAscent.Params p = params(input, json);
        FeatureAscent a = ctx.onDevice(m -> new FeatureAscent(m, p));
        try {
            LensTokenizer tok = ctx.model().tokenizer();
            for (int n = 0; n < p.steps(); n++) {
                if (ctx.cancelled()) {
                    return null;
                }
                FeatureAscent.Step s = ctx.onDevice(m -> a.step());
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("step", s.step());
                event.put("objective", s.objective());
                event.put("value", s.value());
                if (s.ids() != null) {
                    long[][] topk = transpose(ctx.onDevice(m -> a.decode(p.topk())));
                    event.put("ids", s.ids());
                    event.put("tokens", tok.texts(s.ids()));
                    event.put("topk_tokens", Arrays.stream(topk).map(tok::texts).toList());
                }
                ctx.emit("step", event);
            }
            FeatureAscent.Result r = ctx.onDevice(m -> a.result());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", r.ids());
            out.put("text", r.text());
            out.put("tokens", tok.texts(r.ids()));
            out.put("objective", r.objective());
            out.put("value", r.value());
            out.put("decoded_value", r.decodedValue());
            long[][] topk = transpose(r.topk());
            out.put("topk", topk);
            out.put("topk_tokens", Arrays.stream(topk).map(tok::texts).toList());
            return out;
        } finally {
            ctx.onDevice(m -> {
                a.close();
                return null;
            });
        }
    }

    /** [k][N] to [N][k]: per position, its k decodings. */
    private static long[][] transpose(long[][] topk) {
        long[][] out = new long[topk[0].length][topk.length];
        for (int j = 0; j < topk.length; j++) {
            for (int i = 0; i < topk[0].length; i++) {
                out[i][j] = topk[j][i];
            }
        }
        return out;
    }
}
