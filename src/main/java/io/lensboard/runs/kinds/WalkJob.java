package io.lensboard.runs.kinds;

import io.lensboard.analysis.EmbeddingWalk;
import io.lensboard.analysis.EmbeddingWalk.Distances;
import io.lensboard.analysis.Repetition;
import io.lensboard.model.LensTokenizer;
import io.lensboard.runs.EmbeddingEvents;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.TokenEvent;
import io.lensboard.runs.TokenText;
import java.util.Arrays;
import java.util.List;

/**
 * A walk kind's job: one step of an {@link EmbeddingWalk} per device task. Each "step" event (the kind's own record)
 * has the step number, the kind's own figures, d_i, d_o, the kind's ratio of them and the progress (in that order:
 * trajectory.csv's columns), with a decoding every {@code decodeEvery} steps and at the last; the last step also emits
 * the embeddings for the export. A kind says how to take a step, what its step event is, which ratio it reports and
 * what its result is.
 */
abstract class WalkJob implements RunKind.Job {
    /** The "target" event, before the first step: the prompt's ids and tokens. */
    public record Target(long[] ids, List<TokenText> tokens) implements TokenEvent {}

    static final EventRecord<Target> TARGET = new EventRecord<>("target", Target.class);

    private final EmbeddingWalk walk;
    private final LensTokenizer tok;
    private final int steps;
    private final int decodeEvery;
    private final int topk;
    private int n;
    private Distances last;

    /** Emits the walk's target event; the job's steps follow. */
    WalkJob(EmbeddingWalk walk, LensTokenizer tok, int steps, int decodeEvery, int topk, RunKind.Progress progress) {
        this.walk = walk;
        this.tok = tok;
        this.steps = steps;
        this.decodeEvery = decodeEvery;
        this.topk = topk;
        TARGET.emit(progress, new Target(walk.target(), TokenText.of(tok.texts(walk.target()))));
    }

    /** Takes the walk's next step, keeps the kind's own figures for its step event, and returns its distances. */
    protected abstract Distances advance();

    /** Emits the kind's step event: step {@code n}'s figures and distances, and {@code decoded} (or {@link SentenceChecks.Decoded#NONE}). */
    protected abstract void emitStep(RunKind.Progress out, int n, Distances d, double progress, SentenceChecks.Decoded decoded);

    /** The ratio the kind reports (null where its denominator is 0). */
    protected abstract Double ratio(Distances d);

    /** The kind's result record from the final decoding and distances. */
    protected abstract Object result(Decoding decoding, Distances last);

    /**
     * The final decoding as every walk reports it: the top-1 ids with their text and tokens, the target, per position
     * its top-k (topk[t][j]) with their tokens, and the repetition of the top-1 and of each top-k row.
     */
    record Decoding(long[] ids, String text, List<String> tokens, long[] target, List<String> targetTokens, long[][] topk,
                    List<List<String>> topkTokens, double repetition, double[] repetitionTopk) {}

    @Override
    public boolean finished() {
        return n == steps;
    }

    @Override
    public void step(RunKind.Progress out) {
        n++;
        last = advance();
        emitStep(out, n, last, (double) n / steps,
                n % decodeEvery == 0 || finished() ? SentenceChecks.decoded(walk.decode(topk), tok) : SentenceChecks.Decoded.NONE);
        if (finished()) {
            EmbeddingEvents.emit(out, walk.embeddings());
        }
    }

    @Override
    public Object result() {
        long[][] rows = walk.decode(topk);
        long[][] perPosition = SentenceChecks.perPosition(rows);
        return result(new Decoding(rows[0], walk.text(rows[0]), tok.texts(rows[0]), walk.target(), tok.texts(walk.target()),
                perPosition, Arrays.stream(perPosition).map(tok::texts).toList(), Repetition.of(rows[0]), Repetition.rows(rows)), last);
    }

    @Override
    public void close() {
        walk.close();
    }
}
