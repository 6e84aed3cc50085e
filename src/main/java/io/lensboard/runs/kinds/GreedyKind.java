package io.lensboard.runs.kinds;

import io.lensboard.analysis.Feature;
import io.lensboard.analysis.GreedySearch;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.TokenValue;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.FeatureKind;
import io.lensboard.runs.FeatureRun;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.TokenEvent;
import io.lensboard.runs.TokenText;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Run kind "greedy": left-to-right search, a device task per batch of candidates; a {@code batch} event with
 * the progress after each, and a {@code token} event as each token is chosen. {@code read} is {@code last}
 * (the feature at the last position) or {@code sum} (summed over all positions).
 */
@Singleton
public class GreedyKind extends AbstractRunKind<GreedyKind.Params> implements FeatureKind<GreedyKind.Params> {

    public record Params(
            @Schema(defaultValue = "1", minimum = "1", maximum = "1000", description = "block l (1-based): the feature is read from blocks.{l-1}.hook_resid_post") int layer,
            @Schema(required = true, example = "[:, :, 0]", description = "a slice over all positions, such as [:, :, 2000]") String feature,
            @Schema(defaultValue = "4", minimum = "1", maximum = "1024", description = "tokens to choose (at most the model's context)") int tokens,
            @Schema(defaultValue = "last", enumeration = {"last", "sum"}, description = "read f at the last position, or summed over all") String read,
            @Schema(defaultValue = "2048", minimum = "1", maximum = "65536", description = "candidates per device task") int batch) implements FeatureRun {
    }

    /** The chosen tokens, and the feature's value once each was appended. */
    public record Result(long[] ids, String text, List<String> tokens, double[] values) {}

    /** A "token" event: the token chosen for {@code position}, the tokens so far, and f after each. */
    public record Token(int position, ScoredToken token, long[] ids, List<TokenText> tokens, double[] values) implements TokenEvent {}

    private static final EventRecord<Token> TOKEN = new EventRecord<>("token", Token.class);

    public GreedyKind() {
        super("greedy", "Greedy left-to-right search", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        Feature f = FeatureChecks.check(p.layer(), p.feature(), config);
        if (!f.slice().positions().all()) {
            throw new InvalidInputException("params.feature: greedy search reads the last position "
                    + "(or sums over all with read=sum), so write the position part as ':', e.g. [:, :, " + f.slice().neurons().text() + "]");
        }
        config.ifPresent(c -> ParamSchema.range("tokens", p.tokens(), 1, c.nCtx()));
        return new Params(p.layer(), f.slice().text(), p.tokens(), p.read(), p.batch());
    }

    @Override
    public List<EventRecord<?>> eventRecords() {
        return List.of(TOKEN);
    }

    @Override
    public Job open(LoadedModel model, Params p, Progress progress) {
        complete(p, Optional.of(model.config()));
        Feature.Read read = p.read().equals("sum") ? Feature.Read.SUM : Feature.Read.LAST;
        GreedySearch search = new GreedySearch(model, FeatureChecks.check(p.layer(), p.feature(), Optional.empty()), read, p.tokens(), p.batch());
        LensTokenizer tok = model.tokenizer();
        return new Job() {
            @Override
            public boolean finished() {
                return search.finished();
            }

            @Override
            public void step(Progress out) {
                TokenValue chosen = search.next();
                out.emit("batch", Map.of("candidates_done", search.candidatesDone(), "candidates_total", search.candidatesTotal(),
                        "progress", (double) search.candidatesDone() / search.candidatesTotal()));
                if (chosen != null) {
                    TOKEN.emit(out, new Token(search.chosen().size() - 1, ScoredToken.of(chosen), search.ids(),
                            TokenText.of(tok.texts(search.ids())), values(search)));
                }
            }

            @Override
            public Object result() {
                long[] ids = search.ids();
                return new Result(ids, tok.decode(ids), tok.texts(ids), values(search));
            }

            @Override
            public void close() {
                search.close();
            }
        };
    }

    private static double[] values(GreedySearch search) {
        return search.chosen().stream().mapToDouble(TokenValue::value).toArray();
    }
}
