package io.lensboard.runs.kinds;

import io.lensboard.analysis.ExhaustiveSearch;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.TokenValue;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.FeatureKind;
import io.lensboard.runs.FeatureRun;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Run kind "exhaustive": every token as a one-token input, a device task per batch; a {@code batch} event
 * after each with the tokens done and the best so far. Result {@code {"top":[{"id","text","value"}]}}.
 */
@Singleton
public class ExhaustiveKind extends AbstractRunKind<ExhaustiveKind.Params> implements FeatureKind<ExhaustiveKind.Params> {

    public record Params(
            @Schema(defaultValue = "1", minimum = "1", maximum = "1000", description = "block l (1-based): the feature is read from blocks.{l-1}.hook_resid_post") int layer,
            @Schema(required = true, example = "[:, :, 0]", description = "a slice at position 0, such as [:, :, 2000]") String feature,
            @Schema(defaultValue = "10", minimum = "1", maximum = "100", description = "best tokens kept") int topk,
            @Schema(defaultValue = "2048", minimum = "1", maximum = "65536", description = "tokens per device task") int batch) implements FeatureRun {
    }

    public record Result(List<TokenValue> top) {}

    public ExhaustiveKind() {
        super("exhaustive", "Exhaustive single-token search", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        Feature f = FeatureChecks.check(p.layer(), p.feature(), config);
        f.slice().checkPositions(1);
        return new Params(p.layer(), f.slice().text(), p.topk(), p.batch());
    }

    @Override
    public Job open(LoadedModel model, Params p, Progress progress) {
        complete(p, Optional.of(model.config()));
        ExhaustiveSearch search = new ExhaustiveSearch(model, FeatureChecks.check(p.layer(), p.feature(), Optional.empty()), p.batch());
        return new Job() {
            @Override
            public boolean finished() {
                return search.finished();
            }

            @Override
            public void step(Progress out) {
                int done = search.next();
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("tokens_done", done);
                event.put("vocabulary", search.vocabulary());
                event.put("progress", (double) done / search.vocabulary());
                event.put("top", search.top(p.topk()));
                out.emit("batch", event);
            }

            @Override
            public Object result() {
                return new Result(search.top(p.topk()));
            }

            @Override
            public void close() {
                // the search holds no tensors between batches
            }
        };
    }
}
