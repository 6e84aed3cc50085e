package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.lensboard.model.LoadedModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy left-to-right search: N tokens, each the token of the vocabulary that maximises the feature given
 * the tokens chosen so far, read at the last position ({@link Feature.Read#LAST}) or summed over all
 * positions ({@link Feature.Read#SUM}). Each candidate is scored as a whole sequence, chosen tokens then the
 * candidate, batched over the vocabulary. Stepwise, one batch per {@link #next()}; runs on the device thread.
 */
public final class GreedySearch {
    private final LoadedModel model;
    private final Feature feature;
    private final Feature.Read read;
    private final int tokens;
    private final int batch;
    private final int vocabulary;
    private final List<TokenValue> chosen = new ArrayList<>();
    private int cursor;            // next candidate id for the position being chosen
    private long bestId = -1;
    private float bestValue = Float.NEGATIVE_INFINITY;

    public GreedySearch(LoadedModel model, Feature feature, Feature.Read read, int tokens, int batch) {
        if (read == Feature.Read.SLICE || !feature.slice().positions().all()) {
            throw new InvalidInputException("greedy search reads the last position (or sums over all of them): "
                    + "write the feature's position part as ':', e.g. [:, :, " + feature.slice().neurons().text() + "]");
        }
        this.model = model;
        this.feature = feature.checkFor(model);
        this.read = read;
        this.tokens = tokens;
        this.batch = batch;
        this.vocabulary = model.config().vocabSize();
        if (tokens > model.config().nCtx()) {
            throw new InvalidInputException("tokens must be at most the context length " + model.config().nCtx());
        }
    }

    public boolean finished() {
        return chosen.size() == tokens;
    }

    /** Candidates scored so far over all positions, and in all: the progress of the search. */
    public long candidatesDone() {
        return (long) chosen.size() * vocabulary + cursor;
    }

    public long candidatesTotal() {
        return (long) tokens * vocabulary;
    }

    /** The tokens chosen so far, each with the feature's value once it was appended. */
    public List<TokenValue> chosen() {
        return List.copyOf(chosen);
    }

    public long[] ids() {
        return chosen.stream().mapToLong(TokenValue::id).toArray();
    }

    /** Scores the next batch of candidates; returns the token chosen when this batch completed a position, else null. */
    public TokenValue next() {
        int end = Math.min(vocabulary, cursor + batch);
        int n = end - cursor;
        int t = chosen.size() + 1;
        long[] prefix = ids();
        long[] inputs = new long[n * t];
        for (int b = 0; b < n; b++) {
            System.arraycopy(prefix, 0, inputs, b * t, prefix.length);
            inputs[b * t + t - 1] = cursor + b;
        }
        float[] values;
        try (NDManager scope = model.newScope()) {
            NDArray ids = scope.create(inputs).reshape(n, t);
            values = feature.values(model, model.transformer().embed(ids), read).toFloatArray();
        }
        for (int b = 0; b < n; b++) {
            if (values[b] > bestValue) { // strictly larger: ties keep the smaller id
                bestValue = values[b];
                bestId = cursor + b;
            }
        }
        cursor = end;
        if (cursor < vocabulary) {
            return null;
        }
        if (bestId < 0) {
            throw new IllegalStateException("the feature is NaN for every candidate at position " + chosen.size());
        }
        TokenValue pick = new TokenValue(bestId, model.tokenizer().text(bestId), bestValue);
        chosen.add(pick);
        cursor = 0;
        bestId = -1;
        bestValue = Float.NEGATIVE_INFINITY;
        return pick;
    }
}
