package io.lensboard.runs.kinds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.analysis.EmbeddingWalk.Distances;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.OrthogonalWalk;
import io.lensboard.analysis.OrthogonalWalk.Direction;
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

/** Run kind "orthogonal-walk": {@link OrthogonalWalk}, one device task per step, d_i, d_o and their ratio live. */
@Singleton
public class OrthogonalWalkKind extends AbstractRunKind<OrthogonalWalkKind.Params> implements Studyable<OrthogonalWalkKind.Params> {

    /** The write-up's symbols: e_{n+1} = e_n + η v, v ⟂ every row of g = ∇_e Σ O_l(e). */
    public record Params(
            @Schema(required = true, format = ParamSchema.MULTILINE, maxLength = 20000, example = "The sky is blue.", description = "the prompt whose embedding e the walk starts from") String prompt,
            @Schema(defaultValue = "transformer", enumeration = {"transformer", "fcnet", "fcnet-noninvertible", "mlp"}, description = "O_l: the model's first blocks, or a toy on its token embedding") String network,
            @Schema(minimum = "0", maximum = "2147483647", description = "seed of a toy network's weights (default: seed)") Long networkSeed,
            @Schema(defaultValue = "1", minimum = "0", maximum = "1000", description = "blocks of the model in O_l (at most the model's)") int blocks,
            @Schema(defaultValue = "false", description = "apply the final norm after the blocks") boolean finalNorm,
            @Schema(defaultValue = "true", description = "apply the LM head (unembedding) last") boolean lmHead,
            @Schema(defaultValue = "100", minimum = "1", maximum = "100000", description = "walk steps N") int steps,
            @Schema(defaultValue = "float32", enumeration = {"float32", "float64"}, description = "type of the whole computation: weights, activations, gradients") String precision,
            @Schema(minimum = "1", maximum = "100000", description = "decode every k steps (default: 10, at most steps)") Integer decodeEvery,
            @Schema(defaultValue = "5", minimum = "1", maximum = "100", description = "decodings per position") int topk,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of the run (a toy network's, unless network_seed)") long seed,
            @Schema(defaultValue = "0.1", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "step size η along v") double eta,
            @Schema(defaultValue = "last", enumeration = {"last", "matrix"}, description = "v: the last row of Vᵀ for every token, or T distinct rows, one per token") String direction) implements StudyRun {
    }

    /** The final decoding (per position its top-k), its repetition, the final d_i, d_o, d_o/d_i and the largest orthogonality seen. */
    public record Result(long[] ids, String text, List<String> tokens, long[] target, List<String> targetTokens, long[][] topk,
                         List<List<String>> topkTokens, double repetition, double[] repetitionTopk, double dI, double dO, Double ratio,
                         double orthogonality) {}

    /** A "step" event: the step's orthogonality, d_i, d_o, ratio (null where undefined), and at each decoding the tokens and their top-k. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int step, double orthogonality, double dI, double dO, @JsonInclude(JsonInclude.Include.ALWAYS) Double ratio, double progress,
                       long[] ids, List<TokenText> tokens, List<List<TokenText>> topkTokens, Double repetition) implements TokenEvent {}

    private static final EventRecord<Step> STEP = new EventRecord<>("step", Step.class);

    public OrthogonalWalkKind() {
        super("orthogonal-walk", "Orthogonal walk", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        SentenceChecks.prompt(p.prompt());
        SentenceChecks.blocks(p.blocks(), config);
        return new Params(Prompts.lineEndings(p.prompt()), p.network(), p.networkSeed() == null ? p.seed() : p.networkSeed(), p.blocks(),
                p.finalNorm(), p.lmHead(), p.steps(), p.precision(), SentenceChecks.decodeEvery(p.decodeEvery(), p.steps()), p.topk(),
                p.seed(), p.eta(), p.direction());
    }

    /** v must be orthogonal to T gradient rows: one null vector needs T < d, T distinct ones d ≥ 2T. */
    @Override
    public void checkTokens(Params p, LensTokenizer tokenizer, ModelConfig config) {
        int t = SentenceChecks.tokens(p.prompt(), p.network(), tokenizer, config);
        int needed = direction(p) == Direction.LAST ? t + 1 : 2 * t;
        if (config.dModel() < needed) {
            throw new InvalidInputException("params.prompt is " + t + " tokens long; direction " + p.direction() + " needs a width of at least "
                    + needed + " (the model's is " + config.dModel() + "): shorten the prompt");
        }
    }

    @Override
    public List<Column> studyColumns() {
        return WalkSummary.columns(new Column("d_o/d_i", "the final ratio, median over seeds (their range)"),
                new Column("orthogonality", "the largest |g·v| a run saw, median over seeds (their range)"));
    }

    /** The ratio is what the write-up compares across blocks. */
    @Override
    public int chartedColumn() {
        return 2;
    }

    @Override
    public List<Figure> summarise(List<JsonNode> results) {
        return WalkSummary.of(results, List.of("d_i", "d_o", "ratio", "orthogonality"));
    }

    @Override
    public List<EventRecord<?>> eventRecords() {
        return List.of(WalkJob.TARGET, STEP);
    }

    @Override
    public String subject(Params p) {
        return "\u201c" + p.prompt() + "\u201d";
    }

    private static Direction direction(Params p) {
        return Direction.valueOf(p.direction().toUpperCase(Locale.ROOT));
    }

    @Override
    public Job open(LoadedModel model, Params given, Progress progress) {
        Params p = complete(given, Optional.of(model.config())); // a hub model's config and tokenizer are known only now
        checkTokens(p, model.tokenizer(), model.config());
        OrthogonalWalk walk = new OrthogonalWalk(model, new OrthogonalWalk.Params(p.prompt(),
                SentenceChecks.network(p.network(), p.blocks(), p.finalNorm(), p.lmHead(), p.networkSeed(), p.precision()), p.eta(), direction(p)));
        LensTokenizer tok = model.tokenizer();
        return new WalkJob(walk, tok, p.steps(), p.decodeEvery(), p.topk(), progress) {
            private double orthogonality;
            private double stepOrthogonality;

            @Override
            protected Distances advance() {
                OrthogonalWalk.Step s = walk.step();
                stepOrthogonality = s.orthogonality();
                orthogonality = Math.max(orthogonality, stepOrthogonality);
                return s.distances();
            }

            @Override
            protected void emitStep(Progress out, int n, Distances d, double fraction, SentenceChecks.Decoded decoded) {
                STEP.emit(out, new Step(n, stepOrthogonality, d.dI(), d.dO(), ratio(d), fraction, decoded.ids(), decoded.tokens(),
                        decoded.topkTokens(), decoded.repetition()));
            }

            @Override
            protected Double ratio(Distances d) {
                return SentenceChecks.ratio(d.dO(), d.dI());
            }

            @Override
            protected Object result(Decoding d, Distances last) {
                return new Result(d.ids(), d.text(), d.tokens(), d.target(), d.targetTokens(), d.topk(), d.topkTokens(), d.repetition(),
                        d.repetitionTopk(), last.dI(), last.dO(), ratio(last), orthogonality);
            }
        };
    }
}
