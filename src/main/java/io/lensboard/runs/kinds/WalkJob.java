package io.lensboard.runs.kinds;

import io.lensboard.analysis.EmbeddingWalk;
import io.lensboard.analysis.EmbeddingWalk.Distances;
import io.lensboard.analysis.Repetition;
import io.lensboard.model.LensTokenizer;
import io.lensboard.runs.EmbeddingEvents;
import io.lensboard.runs.RunKind;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A walk kind's job: one step of an {@link EmbeddingWalk} per device task. Each "step" event has the step number, the
 * kind's own figures, d_i, d_o, the kind's ratio of them and the progress (in that order: trajectory.csv's columns),
 * with a decoding every {@code decodeEvery} steps and at the last; the last step also emits the embeddings for the
 * export. A kind says how to take a step, which ratio it reports and what its result is.
 */
abstract class WalkJob implements RunKind.Job {
    private final EmbeddingWalk walk;
    private final LensTokenizer tok;
    private final int steps;
    private final int decodeEvery;
    private final int topk;
    private final String ratioKey;
    private int n;
    private Distances last;

    WalkJob(EmbeddingWalk walk, LensTokenizer tok, int steps, int decodeEvery, int topk, String ratioKey) {
        this.walk = walk;
        this.ratioKey = ratioKey;
        this.tok = tok;
        this.steps = steps;
        this.decodeEvery = decodeEvery;
        this.topk = topk;
    }

    /** Takes the walk's next step, puts the kind's own figures into its event, and returns its distances. */
    protected abstract Distances advance(Map<String, Object> event);

    /** The ratio the kind reports under {@code ratioKey} (null where its denominator is 0). */
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
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("step", ++n);
        last = advance(event);
        event.put("d_i", last.dI());
        event.put("d_o", last.dO());
        event.put(ratioKey, ratio(last));
        event.put("progress", (double) n / steps);
        if (n % decodeEvery == 0 || finished()) {
            event.putAll(SentenceChecks.decoded(walk.decode(topk), tok));
        }
        out.emit("step", event);
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
