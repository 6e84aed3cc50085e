package io.lensboard.runs.kinds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.analysis.InputReconstruction;
import io.lensboard.analysis.InputReconstruction.Loss;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.Prompts;
import io.lensboard.analysis.Repetition;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.Checkpointed;
import io.lensboard.runs.EmbeddingEvents;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.StudyRun;
import io.lensboard.runs.Studyable;
import io.lensboard.runs.TokenEvent;
import io.lensboard.runs.TokenText;
import jakarta.inject.Singleton;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Run kind "reconstruction": {@link InputReconstruction}, one device task per step, with live progress. */
@Singleton
public class ReconstructionKind extends AbstractRunKind<ReconstructionKind.Params> implements Studyable<ReconstructionKind.Params>,
        Checkpointed<ReconstructionKind.Params> {

    /**
     * The write-up's symbols: O_l is the first {@code blocks} blocks (+ final norm, + LM head), or a toy {@code network}
     * seeded by {@code network_seed}; e_0 = s·N(μ, σ) + t·e; the yardstick's e′ = e + N(0, yardstick_sigma).
     */
    public record Params(
            @Schema(required = true, format = ParamSchema.MULTILINE, maxLength = 20000, example = "The sky is blue.", description = "the target prompt, whose O_l(e) is matched") String prompt,
            @Schema(defaultValue = "1", minimum = "0", maximum = "1000", description = "blocks of the model in O_l (at most the model's)") int blocks,
            @Schema(defaultValue = "false", description = "apply the final norm after the blocks") boolean finalNorm,
            @Schema(defaultValue = "true", description = "apply the LM head (unembedding) last") boolean lmHead,
            @Schema(defaultValue = "l1", enumeration = {"l1", "l2"}, description = "‖O_l(e_n) − O_l(e)‖, L1 or L2") String loss,
            @Schema(defaultValue = "adam", enumeration = {"adam", "gd"}, description = "Adam, or gradient descent with η falling to η/10") String optimizer,
            @Schema(defaultValue = "0.01", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "learning rate η") double lr,
            @Schema(defaultValue = "400", minimum = "1", maximum = "100000", description = "optimisation steps N") int steps,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of e_0") long seed,
            @Schema(defaultValue = "5", minimum = "1", maximum = "100", description = "decodings per position in the result") int topk,
            @Schema(minimum = "1", maximum = "100000", description = "decode every k steps (default: 10, at most steps)") Integer decodeEvery,
            @Schema(defaultValue = "0.5", minimum = "-1000", exclusiveMinimum = true, maximum = "1000", description = "μ of e_0's noise") double mu,
            @Schema(defaultValue = "0.05", minimum = "-1000", exclusiveMinimum = true, maximum = "1000", description = "σ of e_0's noise") double sigma,
            @Schema(defaultValue = "1", minimum = "-1000", exclusiveMinimum = true, maximum = "1000", description = "s: scale of the noise in e_0") double s,
            @Schema(defaultValue = "0", minimum = "-1000", exclusiveMinimum = true, maximum = "1000", description = "t: weight of the target e in e_0") double t,
            @Schema(defaultValue = "transformer", enumeration = {"transformer", "fcnet", "fcnet-noninvertible", "mlp"}, description = "O_l: the model's first blocks, or a toy on its token embedding") String network,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of a toy network's weights") long networkSeed,
            @Schema(defaultValue = "float32", enumeration = {"float32", "float64"}, description = "type of the whole computation: weights, activations, gradients") String precision,
            @Schema(defaultValue = "0.05", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "σ of e′ = e + N(0, σ) in the yardstick m (eq. 4)") double yardstickSigma) implements StudyRun {
    }

    /** The "target" event, first: the prompt's ids and tokens, and the yardstick m (eq. 4). */
    public record Target(long[] ids, List<TokenText> tokens, double m) implements TokenEvent {}

    /** A "step" event: its loss, and at each decoding the top-1 decoding, which positions match, m_g and repetition. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int step, double loss, double progress, long[] ids, List<TokenText> tokens, boolean[] exact, Double mG,
                       Double repetition) implements TokenEvent {}

    private static final EventRecord<Target> TARGET = new EventRecord<>("target", Target.class);
    private static final EventRecord<Step> STEP = new EventRecord<>("step", Step.class);

    /**
     * Per position: the decoded and target tokens and the top-k decodings; the yardstick m (eq. 4) against m_g, the
     * first checked step where m_g < m (null if never), and the repetition of the top-1 and of each top-k row.
     */
    public record Result(long[] ids, String text, List<String> tokens, long[] target, List<String> targetTokens,
                         double exactFraction, double m, double mG, boolean success, double finalLoss, long[][] topk,
                         List<List<String>> topkTokens, Integer stepsToCriterion, double repetition, double[] repetitionTopk) {}

    public ReconstructionKind() {
        super("reconstruction", "Input reconstruction", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        if (p.prompt().isEmpty()) {
            throw new InvalidInputException("params.prompt is empty: give the text to reconstruct");
        }
        SentenceChecks.blocks(p.blocks(), config);
        int decodeEvery = SentenceChecks.decodeEvery(p.decodeEvery(), p.steps());
        return new Params(Prompts.lineEndings(p.prompt()), p.blocks(), p.finalNorm(), p.lmHead(), p.loss(), p.optimizer(), p.lr(), p.steps(), p.seed(),
                p.topk(), decodeEvery, p.mu(), p.sigma(), p.s(), p.t(), p.network(), p.networkSeed(), p.precision(), p.yardstickSigma());
    }

    @Override
    public void checkTokens(Params p, LensTokenizer tokenizer, ModelConfig config) {
        SentenceChecks.tokens(p.prompt(), p.network(), tokenizer, config);
    }

    @Override
    public List<Column> studyColumns() {
        return List.of(new Column("median steps to criterion", "the first checked step n where m_g(n) < m (eq. 4); a run that never met it "
                        + "counts as infinitely many, so “never” is the median when half or more never did"),
                new Column("exact fraction", "the mean share of positions decoded as the target"),
                new Column("m_g/m", "the median final m_g/m"),
                new Column("repetition", "the mean share of positions whose top-1 token occurs earlier"));
    }

    @Override
    public List<Figure> summarise(List<JsonNode> results) {
        return ReconstructionSummary.of(results).figures();
    }

    @Override
    public List<EventRecord<?>> eventRecords() {
        return List.of(TARGET, STEP);
    }

    @Override
    public String subject(Params p) {
        return "\u201c" + p.prompt() + "\u201d";
    }

    /** Per position: whether the decoded token is the target's. */
    private static boolean[] exact(long[] decoded, long[] target) {
        boolean[] exact = new boolean[decoded.length];
        for (int i = 0; i < decoded.length; i++) {
            exact[i] = decoded[i] == target[i];
        }
        return exact;
    }

    @Override
    public SavableJob open(LoadedModel model, Params p, Progress progress) {
        InputReconstruction r = reconstruction(model, p);
        TARGET.emit(progress, new Target(r.target(), TokenText.of(model.tokenizer().texts(r.target())), r.yardstick()));
        return job(model, p, r, 0, Double.NaN);
    }

    /** The target event was stored with the run's first attempt: the resumed job emits only its next steps. */
    @Override
    public SavableJob resume(LoadedModel model, Params p, DataInput state) throws IOException {
        InputReconstruction r = reconstruction(model, p);
        try {
            int n = state.readInt();
            double loss = state.readDouble();
            r.restore(state);
            return job(model, p, r, n, loss);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private InputReconstruction reconstruction(LoadedModel model, Params p) {
        complete(p, Optional.of(model.config())); // a hub model's config and tokenizer are known only now
        checkTokens(p, model.tokenizer(), model.config());
        return new InputReconstruction(model, new InputReconstruction.Params(p.prompt(),
                SentenceChecks.network(p.network(), p.blocks(), p.finalNorm(), p.lmHead(), p.networkSeed(), p.precision()),
                Loss.valueOf(p.loss().toUpperCase()), Optimizer.valueOf(p.optimizer().toUpperCase()), p.lr(), p.steps(),
                p.seed(), p.topk(), p.decodeEvery(), p.mu(), p.sigma(), p.s(), p.t(), p.yardstickSigma()));
    }

    /** The run's job over {@code r}, {@code done} steps in, the last of them with loss {@code lastLoss}. */
    private SavableJob job(LoadedModel model, Params p, InputReconstruction r, int done, double lastLoss) {
        LensTokenizer tok = model.tokenizer();
        return new SavableJob() {
            private int n = done;
            private double loss = lastLoss;

            @Override
            public void save(DataOutput out) throws IOException {
                out.writeInt(n);
                out.writeDouble(loss); // the result's final loss, should the run end right after
                r.save(out);
            }

            @Override
            public boolean finished() {
                return n == p.steps();
            }

            @Override
            public void step(Progress out) {
                InputReconstruction.Step s = r.step();
                n = s.step();
                loss = s.loss();
                double fraction = (double) n / p.steps();
                STEP.emit(out, s.ids() == null ? new Step(s.step(), s.loss(), fraction, null, null, null, null, null)
                        : new Step(s.step(), s.loss(), fraction, s.ids(), TokenText.of(tok.texts(s.ids())), exact(s.ids(), r.target()),
                                s.mG(), Repetition.of(s.ids())));
                if (finished()) {
                    EmbeddingEvents.emit(out, r.embeddings());
                }
            }

            @Override
            public Object result() {
                InputReconstruction.Result result = r.result(loss);
                return new Result(result.ids(), result.text(), tok.texts(result.ids()), result.target(), tok.texts(result.target()),
                        result.exactFraction(), result.m(), result.mG(), result.success(), result.finalLoss(), result.topk(),
                        Arrays.stream(result.topk()).map(tok::texts).toList(), result.stepsToCriterion(), result.repetition(),
                        result.repetitionTopk());
            }

            @Override
            public void close() {
                r.close();
            }
        };
    }
}
