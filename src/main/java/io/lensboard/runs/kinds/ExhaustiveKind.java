package io.lensboard.runs.kinds;

import io.lensboard.analysis.ExhaustiveSearch;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.TokenValue;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.FeatureKind;
import io.lensboard.runs.FeatureRun;
import jakarta.inject.Singleton;
import java.util.List;
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

    /** A "batch" event: how much of the vocabulary is done, and the best tokens so far. */
    public record Batch(int tokensDone, int vocabulary, double progress, List<ScoredToken> top) {}

    private static final EventRecord<Batch> BATCH = new EventRecord<>("batch", Batch.class);

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
    public List<EventRecord<?>> eventRecords() {
        return List.of(BATCH);
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
                BATCH.emit(out, new Batch(done, search.vocabulary(), (double) done / search.vocabulary(),
                        search.top(p.topk()).stream().map(ScoredToken::of).toList()));
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
