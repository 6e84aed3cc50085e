package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lensboard.model.LoadedModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Exhaustive single-token search: every token of the vocabulary as a one-token input, in batches; the
 * tokens with the largest feature value at position 0. Stepwise, one batch per {@link #next()}, so the
 * caller can report progress, cancel, and let other device work in between; every method runs on the
 * model's device thread.
 */
public final class ExhaustiveSearch {
    private final LoadedModel model;
    private final Feature feature;
    private final int batch;
    private final float[] values;
    private int done;

    public ExhaustiveSearch(LoadedModel model, Feature feature, int batch) {
        this.model = model;
        this.feature = feature.checkFor(model);
        feature.slice().checkPositions(1);
        this.batch = batch;
        this.values = new float[model.config().vocabSize()];
    }

    public int vocabulary() {
        return values.length;
    }

    public boolean finished() {
        return done == values.length;
    }

    /** Evaluates the next batch of tokens; returns how many tokens are done. */
    public int next() {
        int end = Math.min(values.length, done + batch);
        try (NDManager scope = model.newScope()) {
            NDArray ids = scope.arange(done, end).toType(DataType.INT64, false).reshape(end - done, 1);
            float[] v = feature.values(model, model.transformer().embed(ids), Feature.Read.SLICE).toFloatArray();
            System.arraycopy(v, 0, values, done, v.length);
        }
        done = end;
        return done;
    }

    /** The k best tokens among those done, largest value first (ties: the smaller id first). */
    public List<TokenValue> top(int k) {
        Comparator<Integer> better = Comparator.<Integer>comparingDouble(i -> values[i]).thenComparing(i -> -i);
        PriorityQueue<Integer> heap = new PriorityQueue<>(better); // the worst of the best k on top
        for (int i = 0; i < done; i++) {
            heap.add(i);
            if (heap.size() > k) {
                heap.poll();
            }
        }
        List<TokenValue> out = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            int id = heap.poll();
            out.add(0, new TokenValue(id, model.tokenizer().text(id), values[id]));
        }
        return out;
    }
}
