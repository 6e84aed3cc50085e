package io.lensboard.runs.kinds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.analysis.ClampedWalk;
import io.lensboard.analysis.ClampedWalk.NoiseSide;
import io.lensboard.analysis.EmbeddingWalk.Distances;
import io.lensboard.analysis.Prompts;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.StudyRun;
import io.lensboard.runs.Studyable;
import io.lensboard.runs.TokenEvent;
import io.lensboard.runs.TokenText;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Run kind "clamped-walk": {@link ClampedWalk}, one device task per step (its noise and inner steps), r live. */
@Singleton
public class ClampedWalkKind extends AbstractRunKind<ClampedWalkKind.Params> implements Studyable<ClampedWalkKind.Params> {

    /** The write-up's symbols: noise η·N(0, 1) on one side of i, gradient steps ε on the other; r = ‖e − e_n‖₁ / ‖O_l(e) − O_l(e_n)‖₁. */
    public record Params(
            @Schema(required = true, format = ParamSchema.MULTILINE, maxLength = 20000, example = "The sky is blue.", description = "the prompt whose embedding e (= e*) the walk starts from") String prompt,
            @Schema(defaultValue = "transformer", enumeration = {"transformer", "fcnet", "fcnet-noninvertible", "mlp"}, description = "O_l: the model's first blocks, or a toy on its token embedding") String network,
            @Schema(minimum = "0", maximum = "2147483647", description = "seed of a toy network's weights (default: seed)") Long networkSeed,
            @Schema(defaultValue = "1", minimum = "0", maximum = "1000", description = "blocks of the model in O_l (at most the model's)") int blocks,
            @Schema(defaultValue = "false", description = "apply the final norm after the blocks") boolean finalNorm,
            @Schema(defaultValue = "true", description = "apply the LM head (unembedding) last") boolean lmHead,
            @Schema(defaultValue = "100", minimum = "1", maximum = "100000", description = "walk steps N") int steps,
            @Schema(defaultValue = "float32", enumeration = {"float32", "float64"}, description = "type of the whole computation: weights, activations, gradients") String precision,
            @Schema(minimum = "1", maximum = "100000", description = "decode every k steps (default: 10, at most steps)") Integer decodeEvery,
            @Schema(defaultValue = "5", minimum = "1", maximum = "100", description = "decodings per position") int topk,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of the index i and the noise (and of a toy network, unless network_seed)") long seed,
            @Schema(defaultValue = "0.01", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "noise scale η") double eta,
            @Schema(defaultValue = "0.01", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "gradient step size ε") double epsilon,
            @Schema(defaultValue = "10", minimum = "0", maximum = "1000", description = "gradient steps after each noise") int innerSteps,
            @Schema(defaultValue = "head", enumeration = {"head", "tail"}, description = "noise on [:i] (the write-up's equation) or [i:] (its code)") String noiseSide) implements StudyRun {
    }

    /** The final decoding (per position its top-k), its repetition, the final d_i, d_o and r = d_i / d_o. */
    public record Result(long[] ids, String text, List<String> tokens, long[] target, List<String> targetTokens, long[][] topk,
                         List<List<String>> topkTokens, double repetition, double[] repetitionTopk, double dI, double dO, Double r) {}

    /** A "step" event: the clamped position, d_i, d_o, r (null where undefined), and at each decoding the tokens and their top-k. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int step, int index, double dI, double dO, @JsonInclude(JsonInclude.Include.ALWAYS) Double r, double progress,
                       long[] ids, List<TokenText> tokens, List<List<TokenText>> topkTokens, Double repetition) implements TokenEvent {}

    private static final EventRecord<Step> STEP = new EventRecord<>("step", Step.class);

    public ClampedWalkKind() {
        super("clamped-walk", "Clamped gradient walk", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        SentenceChecks.prompt(p.prompt());
        SentenceChecks.blocks(p.blocks(), config);
        return new Params(Prompts.lineEndings(p.prompt()), p.network(), p.networkSeed() == null ? p.seed() : p.networkSeed(), p.blocks(),
                p.finalNorm(), p.lmHead(), p.steps(), p.precision(), SentenceChecks.decodeEvery(p.decodeEvery(), p.steps()), p.topk(),
                p.seed(), p.eta(), p.epsilon(), p.innerSteps(), p.noiseSide());
    }

    @Override
    public void checkTokens(Params p, LensTokenizer tokenizer, ModelConfig config) {
        SentenceChecks.tokens(p.prompt(), p.network(), tokenizer, config);
    }

    @Override
    public List<Column> studyColumns() {
        return WalkSummary.columns(new Column("r", "the final r = d_i / d_o, median over seeds (their range)"));
    }

    /** The ratio is what the write-up compares across blocks. */
    @Override
    public int chartedColumn() {
        return 2;
    }

    @Override
    public List<Figure> summarise(List<JsonNode> results) {
        return WalkSummary.of(results, List.of("d_i", "d_o", "r"));
    }

    @Override
    public List<EventRecord<?>> eventRecords() {
        return List.of(WalkJob.TARGET, STEP);
    }

    @Override
    public String subject(Params p) {
        return "\u201c" + p.prompt() + "\u201d";
    }

    @Override
    public Job open(LoadedModel model, Params given, Progress progress) {
        Params p = complete(given, Optional.of(model.config())); // a hub model's config and tokenizer are known only now
        checkTokens(p, model.tokenizer(), model.config());
        ClampedWalk walk = new ClampedWalk(model, new ClampedWalk.Params(p.prompt(),
                SentenceChecks.network(p.network(), p.blocks(), p.finalNorm(), p.lmHead(), p.networkSeed(), p.precision()), p.eta(),
                p.epsilon(), p.innerSteps(), NoiseSide.valueOf(p.noiseSide().toUpperCase(Locale.ROOT)), p.seed()));
        LensTokenizer tok = model.tokenizer();
        return new WalkJob(walk, tok, p.steps(), p.decodeEvery(), p.topk(), progress) {
            private int index;

            @Override
            protected Distances advance() {
                ClampedWalk.Step s = walk.step();
                index = s.index();
                return s.distances();
            }

            @Override
            protected void emitStep(Progress out, int n, Distances d, double fraction, SentenceChecks.Decoded decoded) {
                STEP.emit(out, new Step(n, index, d.dI(), d.dO(), ratio(d), fraction, decoded.ids(), decoded.tokens(), decoded.topkTokens(),
                        decoded.repetition()));
            }

            @Override
            protected Double ratio(Distances d) {
                return SentenceChecks.ratio(d.dI(), d.dO());
            }

            @Override
            protected Object result(Decoding d, Distances last) {
                return new Result(d.ids(), d.text(), d.tokens(), d.target(), d.targetTokens(), d.topk(), d.topkTokens(), d.repetition(),
                        d.repetitionTopk(), last.dI(), last.dO(), ratio(last));
            }
        };
    }
}
