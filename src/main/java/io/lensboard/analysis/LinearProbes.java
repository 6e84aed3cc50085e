package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Linear probes that reconstitute the input (the logit-lens write-up's question): for each chosen residual stream
 * (a TransformerLens hook), a linear classifier logits = W x + b from the residual x at (l, t) to the input token at t,
 * trained with Adam on the training chunks of a corpus (classes: the tokens that occur in it) and scored on the
 * held-out chunks. With {@code shared}, one probe is trained on every chosen stream at once and scored on each.
 * Then the write-up's question in numbers: how close the probe's row W_c is to the embedding row of token c (mean
 * cosine, against the rows of a shuffled assignment of tokens), and how W's mass spreads over the principal
 * components of the embedding matrix W_E. Every method runs on the model's device thread.
 */
public final class LinearProbes implements AutoCloseable {

    /** {@code hooks}: the residual streams probed, in order. */
    public record Params(List<String> hooks, int epochs, double lr, long seed, boolean shared) {}

    /** One epoch of probe {@code probe} (the shared probe is probe 0): its mean training cross-entropy. */
    public record Step(int probe, int epoch, double loss) {}

    /** A stream's scores on the held-out tokens; {@code pcaMass[k]}: the share of ‖W‖² along W_E's k-th component. */
    public record Scores(double accuracy, double accuracyTop5, double cosineToEmbedding, double cosineBaseline, double[] pcaMass) {}

    private static final int BATCH = 512;

    private final LoadedModel model;
    private final Params p;
    private final NDManager run;
    private final long[] classes;          // token id of each class, ascending
    private final NDArray[] xTrain;        // per stream [N_train, d]
    private final NDArray[] xHeld;         // per stream [N_held, d]
    private final NDArray yTrain;          // class index per training token [N_train]
    private final NDArray yHeld;
    private final NDArray components;      // W_E's principal directions as columns [d, d], by variance, largest first
    private final Random random;
    private final List<NDArray[]> probes = new ArrayList<>(); // {W [C, d], b [C]} per probe
    private Adam[] adam;
    private long[] order;                  // this epoch's shuffled order of the training rows
    private int probe;
    private int epoch;

    public LinearProbes(LoadedModel model, CorpusChunks corpus, Params p) {
        this.model = model;
        this.p = p;
        this.run = model.newScope();
        this.random = new Random(p.seed());
        TreeSet<Long> seen = new TreeSet<>();
        for (long[][] part : List.of(corpus.train(), corpus.heldOut())) {
            for (long[] chunk : part) {
                for (long id : chunk) {
                    seen.add(id);
                }
            }
        }
        classes = seen.stream().mapToLong(Long::longValue).toArray();
        xTrain = residuals(corpus.train());
        xHeld = residuals(corpus.heldOut());
        yTrain = run.create(classIndices(corpus.train()));
        yHeld = run.create(classIndices(corpus.heldOut()));
        try (NDManager w = run.newSubManager()) { // a half-precision W_E is widened for this only
            components = EmbeddingPca.components(model.transformer().tokenEmbedding(w), run);
        }
    }

    /** The residual streams p.hooks() of every token of {@code chunks}, one [N, d] array per stream, in the run's manager. */
    private NDArray[] residuals(long[][] chunks) {
        Transformer tf = model.transformer();
        int t = chunks[0].length;
        int per = Math.max(1, BATCH / t);
        List<NDList> parts = new ArrayList<>();
        p.hooks().forEach(h -> parts.add(new NDList()));
        for (int from = 0; from < chunks.length; from += per) {
            int count = Math.min(per, chunks.length - from);
            ActivationCache cache = ActivationCache.of(p.hooks()::contains);
            try (NDManager scope = run.newSubManager()) {
                NDArray ids = scope.create(CorpusChunks.flat(chunks, from, count)).reshape(count, t);
                tf.forward(tf.embed(ids), Forward.residualAfter(model.config().nLayers()), cache);
                for (int i = 0; i < p.hooks().size(); i++) {
                    NDArray x = cache.get(p.hooks().get(i)).reshape(-1, model.config().dModel());
                    x.attach(run);
                    parts.get(i).add(x);
                }
            }
        }
        NDArray[] out = new NDArray[parts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = NDArrays.concat(parts.get(i));
            parts.get(i).close();
        }
        return out;
    }

    private long[] classIndices(long[][] chunks) {
        long[] out = new long[chunks.length * chunks[0].length];
        int i = 0;
        for (long[] chunk : chunks) {
            for (long id : chunk) {
                out[i++] = Arrays.binarySearch(classes, id);
            }
        }
        return out;
    }

    /** The number of probes trained: one per stream, or one shared. */
    public int probes() {
        return p.shared() ? 1 : p.hooks().size();
    }

    /** Classes C: the distinct tokens of the corpus. */
    public int classes() {
        return classes.length;
    }

    public boolean finished() {
        return probe == probes();
    }

    /** One epoch of the current probe over its training tokens, in shuffled mini-batches, each in its own sub-manager. */
    public Step step() {
        if (epoch == 0) {
            long d = model.config().dModel();
            probes.add(new NDArray[] {run.zeros(new Shape(classes.length, d)), run.zeros(new Shape(classes.length))});
            adam = new Adam[] {new Adam(run, new Shape(classes.length, d)), new Adam(run, new Shape(classes.length))};
        }
        NDArray[] wb = probes.get(probe);
        List<int[]> batches = batches();
        double loss = 0;
        for (int[] batch : batches) {
            try (NDManager step = run.newSubManager()) {
                NDArray x = rows(xTrain[batch[0]], batch[1], step);
                NDArray y = rows(yTrain, batch[1], step);
                NDArray w = Scopes.copy(wb[0], step);
                NDArray b = Scopes.copy(wb[1], step);
                w.setRequiresGradient(true);
                b.setRequiresGradient(true);
                NDArray gw;
                NDArray gb;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    // cross-entropy of softmax(x W^T + b) against the input token's class
                    NDArray logP = x.matMul(w.transpose()).add(b).logSoftmax(-1);
                    NDArray ce = logP.gather(y.reshape(-1, 1), 1).mean().neg();
                    gc.backward(ce);
                    loss += ce.getFloat();
                    gw = w.getGradient();
                    gb = b.getGradient();
                }
                wb[0].subi(adam[0].direction(gw, step).mul((float) p.lr()));
                wb[1].subi(adam[1].direction(gb, step).mul((float) p.lr()));
            }
        }
        Step s = new Step(probe, ++epoch, loss / batches.size());
        if (epoch == p.epochs()) {
            probe++;
            epoch = 0;
        }
        return s;
    }

    /** An epoch's mini-batches as {stream, first position in this epoch's shuffled order}: every training row once. */
    private List<int[]> batches() {
        int n = (int) yTrain.size();
        List<Integer> streams = p.shared() ? IntStream.range(0, p.hooks().size()).boxed().toList() : List.of(probe);
        List<int[]> out = new ArrayList<>();
        for (int s : streams) {
            for (int from = 0; from < n; from += BATCH) {
                out.add(new int[] {s, from});
            }
        }
        Collections.shuffle(out, random);
        List<Long> idx = new ArrayList<>(n);
        for (long i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, random);
        order = idx.stream().mapToLong(Long::longValue).toArray();
        return out;
    }

    /** Rows [from, from + BATCH) of this epoch's order taken from a run-long array, owned by {@code scope}. */
    private NDArray rows(NDArray all, int from, NDManager scope) {
        NDArray picked = all.get(new NDIndex("{}", scope.create(Arrays.copyOfRange(order, from, Math.min(order.length, from + BATCH)))));
        picked.attach(scope);
        return picked;
    }

    /** Stream i's held-out scores under its probe (the shared one with {@code shared}), after training. */
    public Scores scores(int stream) {
        NDArray[] wb = probes.get(p.shared() ? 0 : stream);
        try (NDManager scope = run.newSubManager()) {
            NDArray w = Scopes.copy(wb[0], scope);
            NDArray logits = Scopes.copy(xHeld[stream], scope).matMul(w.transpose()).add(wb[1]);
            NDArray y = Scopes.copy(yHeld, scope).reshape(-1, 1);
            double top1 = logits.argMax(1).reshape(-1, 1).eq(y).toType(DataType.FLOAT32, false).mean().getFloat();
            int k = Math.min(5, classes.length);
            NDList top = logits.topK(k, 1, true, true);
            double top5 = top.get(1).eq(y).toType(DataType.FLOAT32, false).sum(new int[] {1}).mean().getFloat();
            NDArray embeddings = model.transformer().embed(scope.create(classes));
            double cosine = meanCosine(w, embeddings);
            // the shuffled baseline: W_c against the embedding of another token of the corpus
            double baseline = meanCosine(w, embeddings.get(new NDIndex("{}", scope.create(derangement(classes.length)))));
            NDArray along = w.matMul(Scopes.copy(components, scope)).square().sum(new int[] {0});
            double[] mass = along.div(along.sum()).toType(DataType.FLOAT64, false).toDoubleArray();
            return new Scores(top1, top5, cosine, baseline, mass);
        }
    }

    /** mean over rows c of cos(a_c, b_c); a zero row counts as cosine 0. */
    private static double meanCosine(NDArray a, NDArray b) {
        NDArray dot = a.mul(b).sum(new int[] {1});
        NDArray norms = a.norm(new int[] {1}).mul(b.norm(new int[] {1})).maximum(1e-12f);
        return dot.div(norms).mean().getFloat();
    }

    /** A seeded permutation of 0 … n−1 that moves every index (for n ≥ 2). */
    private long[] derangement(int n) {
        Random r = new Random(p.seed() + 1);
        long[] perm = new long[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        // Sattolo's algorithm: a uniformly random cyclic permutation, which has no fixed point
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i);
            long t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    @Override
    public void close() {
        run.close();
    }
}
