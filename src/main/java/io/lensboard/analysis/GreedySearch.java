package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * Greedy left-to-right search: N tokens, each the token of the vocabulary that maximises the feature given
 * the tokens chosen so far, read at the last position ({@link Feature.Read#LAST}) or summed over all
 * positions ({@link Feature.Read#SUM}). The chosen tokens run once per position, and every candidate of the
 * vocabulary continues them from their keys and values ({@link Transformer.Past}), batched. The model is
 * causal, so the chosen tokens' own feature values do not depend on the candidate: SUM adds their sum, once
 * computed, to the candidate's. Stepwise, one batch per {@link #next()}; runs on the device thread.
 */
public final class GreedySearch implements AutoCloseable {
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
    private NDManager prefixScope;   // holds the chosen tokens' past while their position is searched
    private Transformer.Past past;
    private float prefixSum;         // the chosen tokens' feature values summed (for SUM)

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
        if (cursor == 0 && !chosen.isEmpty() && past == null) {
            runPrefix();
        }
        int end = Math.min(vocabulary, cursor + batch);
        int n = end - cursor;
        float[] values;
        try (NDManager scope = model.newScope()) {
            NDArray ids = scope.arange((float) cursor, (float) end).toType(DataType.INT64, false).reshape(n, 1);
            values = feature.values(model, model.transformer().embed(ids), Feature.Read.LAST, past).toFloatArray();
        }
        for (int b = 0; b < n; b++) {
            float value = read == Feature.Read.SUM ? prefixSum + values[b] : values[b];
            if (value > bestValue) { // strictly larger: ties keep the smaller id
                bestValue = value;
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
        close();
        return pick;
    }

    /** Runs the chosen tokens once: their past for the candidates, and their feature values summed for SUM. */
    private void runPrefix() {
        prefixScope = model.newScope();
        NDArray embeds = model.transformer().embed(prefixScope.create(ids()).reshape(1, chosen.size()));
        past = model.transformer().past(embeds, feature.layer());
        prefixSum = read == Feature.Read.SUM ? feature.read(past.residual(), Feature.Read.SUM).getFloat(0) : 0;
    }

    /** Frees the chosen tokens' past (the search can go on: the next position runs its prefix again). */
    @Override
    public void close() {
        if (prefixScope != null) {
            prefixScope.close();
            prefixScope = null;
            past = null;
        }
    }
}
