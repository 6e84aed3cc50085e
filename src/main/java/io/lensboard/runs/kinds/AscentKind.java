package io.lensboard.runs.kinds;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.FeatureAscent;
import io.lensboard.analysis.FeatureAscent.Input;
import io.lensboard.analysis.FeatureAscent.Objective;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.analysis.Repetition;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.Checkpointed;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.FeatureKind;
import io.lensboard.runs.FeatureRun;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.Seeded;
import io.lensboard.runs.SeededRun;
import io.lensboard.runs.TokenEvent;
import io.lensboard.runs.TokenText;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Run kinds "ascent" (gradient ascent on the input embedding) and "softmax-prior" (on logits whose softmax
 * weights the token embeddings): {@link FeatureAscent}, one device task per step; a {@code step} event each
 * step with the objective and the feature, and the current tokens (top-1 and top-k per position) every
 * {@code decode_every} steps.
 */
public abstract class AscentKind extends AbstractRunKind<AscentKind.Params> implements FeatureKind<AscentKind.Params>, Seeded<AscentKind.Params>,
        Checkpointed<AscentKind.Params> {

    public record Params(
            @Schema(defaultValue = "1", minimum = "1", maximum = "1000", description = "block l (1-based): the feature is read from blocks.{l-1}.hook_resid_post") int layer,
            @Schema(required = true, example = "[:, :, 0]", description = "a slice such as [:, :, 2000] (one neuron) or [:, 0-4, 0:4]") String feature,
            @Schema(defaultValue = "4", minimum = "1", maximum = "1024", description = "input tokens N (at most the model's context)") int tokens,
            @Schema(defaultValue = "mean", enumeration = {"mean", "l1"}, description = "J = f, or J = −|C − f|") String objective,
            @Schema(defaultValue = "100", minimum = "-1e9", exclusiveMinimum = true, maximum = "1e9", description = "the target C of the l1 objective") double c,
            @Schema(defaultValue = "adam", enumeration = {"adam", "gd"}, description = "Adam, or plain gradient ascent") String optimizer,
            @Schema(minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "learning rate η (default 0.01; softmax prior 0.1)") Double lr,
            @Schema(defaultValue = "200", minimum = "1", maximum = "100000", description = "ascent steps") int steps,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of the start") long seed,
            @Schema(defaultValue = "1", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "scale of the random start") double initScale,
            @Schema(defaultValue = "5", minimum = "1", maximum = "100", description = "decodings per position") int topk,
            @Schema(minimum = "1", maximum = "100000", description = "decode every k steps (default: 10, at most steps)") Integer decodeEvery) implements FeatureRun, SeededRun {
    }

    /** {@code repetition}: of the top-1 decoding; {@code repetitionTopk}: of each top-k row (row 0 the top-1). */
    public record Result(long[] ids, String text, List<String> tokens, double objective, double value, double decodedValue,
                         long[][] topk, List<List<String>> topkTokens, double repetition, double[] repetitionTopk) {}

    /** A "step" event: the objective J and the feature f, and at each decoding the tokens, per position its top-k, and repetition. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int step, double objective, double value, double progress, long[] ids, List<TokenText> tokens,
                       List<List<TokenText>> topkTokens, Double repetition) implements TokenEvent {}

    private static final EventRecord<Step> STEP = new EventRecord<>("step", Step.class);

    private final Input input;
    private final double defaultLr;

    /** Both ascents show the same progress and result: their templates are runs/ascent-*. */
    AscentKind(String name, String title, Input input, double defaultLr) {
        super(name, title, Params.class, "ascent");
        this.input = input;
        this.defaultLr = defaultLr;
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        Feature f = FeatureChecks.check(p.layer(), p.feature(), config);
        config.ifPresent(c -> ParamSchema.range("tokens", p.tokens(), 1, c.nCtx()));
        f.slice().checkPositions(p.tokens());
        int decodeEvery = p.decodeEvery() == null ? Math.min(10, p.steps()) : p.decodeEvery();
        ParamSchema.range("decode_every", decodeEvery, 1, p.steps());
        return new Params(p.layer(), f.slice().text(), p.tokens(), p.objective(), p.c(), p.optimizer(),
                p.lr() == null ? defaultLr : p.lr(), p.steps(), p.seed(), p.initScale(), p.topk(), decodeEvery);
    }

    @Override
    public List<EventRecord<?>> eventRecords() {
        return List.of(STEP);
    }

    @Override
    public SavableJob open(LoadedModel model, Params p, Progress progress) {
        return job(model, p, ascent(model, p), 0);
    }

    @Override
    public SavableJob resume(LoadedModel model, Params p, DataInput state) throws IOException {
        FeatureAscent a = ascent(model, p);
        try {
            int n = state.readInt();
            a.restore(state);
            return job(model, p, a, n);
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private FeatureAscent ascent(LoadedModel model, Params p) {
        complete(p, Optional.of(model.config())); // a hub model's config is known only now
        Feature feature = FeatureChecks.check(p.layer(), p.feature(), Optional.empty()); // the slice, already checked
        return new FeatureAscent(model, new FeatureAscent.Params(input, feature, p.tokens(),
                Objective.valueOf(p.objective().toUpperCase()), p.c(), Optimizer.valueOf(p.optimizer().toUpperCase()), p.lr(), p.steps(),
                p.seed(), p.initScale(), p.topk(), p.decodeEvery()));
    }

    /** The run's job over the ascent {@code a}, {@code done} steps in. */
    private SavableJob job(LoadedModel model, Params p, FeatureAscent a, int done) {
        LensTokenizer tok = model.tokenizer();
        return new SavableJob() {
            private int n = done;

            @Override
            public void save(DataOutput out) throws IOException {
                out.writeInt(n);
                a.save(out);
            }

            @Override
            public boolean finished() {
                return n == p.steps();
            }

            @Override
            public void step(Progress out) {
                FeatureAscent.Step s = a.step();
                n = s.step();
                double fraction = (double) n / p.steps();
                STEP.emit(out, s.ids() == null ? new Step(s.step(), s.objective(), s.value(), fraction, null, null, null, null)
                        : new Step(s.step(), s.objective(), s.value(), fraction, s.ids(), TokenText.of(tok.texts(s.ids())),
                                Arrays.stream(transpose(a.decode(p.topk()))).map(t -> TokenText.of(tok.texts(t))).toList(),
                                Repetition.of(s.ids())));
            }

            @Override
            public Object result() {
                FeatureAscent.Result r = a.result();
                long[][] topk = transpose(r.topk());
                return new Result(r.ids(), r.text(), tok.texts(r.ids()), r.objective(), r.value(), r.decodedValue(), topk,
                        Arrays.stream(topk).map(tok::texts).toList(), Repetition.of(r.ids()), Repetition.rows(r.topk()));
            }

            @Override
            public void close() {
                a.close();
            }
        };
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
