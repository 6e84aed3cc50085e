package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import io.lensboard.model.TunedLensWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The logit lens (nostalgebraist, 2020): decode every layer's residual stream through the final norm
 * and the unembedding, as if the model stopped there. All rows are normalised and unembedded together, one GEMM
 * per chunk of layers; every pass over the vocabulary runs in float32 on the device ({@link LensDistribution}) and
 * only [layers, T, k]-sized results come to the Java heap, where per-position formulas finish them. Ranks compare
 * the float32 logits themselves.
 */
public final class LogitLens {
    public static final int MAX_TOPK = 100;
    /**
     * The largest [rows, T, V] float32 logits decoded at once (128 MiB). Besides it, the input and output rows'
     * distributions (lp and p: 4 [T, V] arrays) are kept for the whole lens, and each block of positions has a few
     * temporaries.
     */
    private static final long CHUNK_ELEMENTS = 1L << 25;

    private LogitLens() {}

    /** What to decode; {@code ablation} removes components from the pass the lens reads ({@link Ablation#NONE}: none). */
    public record Request(String prompt, int topk, boolean subBlocks, Ablation ablation) {
        public Request(String prompt, int topk, boolean subBlocks) {
            this(prompt, topk, subBlocks, Ablation.NONE);
        }
    }

    /** Tokenizes and checks the prompt against the model's context; throws {@link InvalidInputException}. */
    public static long[] tokenize(LoadedModel model, Request request) {
        if (request.prompt() == null || request.prompt().isEmpty()) {
            throw new InvalidInputException("prompt is empty: give some text to decode");
        }
        if (request.topk() < 1 || request.topk() > MAX_TOPK) {
            throw new InvalidInputException("topk must be between 1 and " + MAX_TOPK + ", got " + request.topk());
        }
        long[] ids = Prompts.encode(model.tokenizer(), request.prompt(), "prompt");
        if (ids.length == 0) {
            throw new InvalidInputException("prompt has no tokens: give some text to decode");
        }
        if (ids.length > model.config().nCtx()) {
            throw new InvalidInputException("prompt is " + ids.length + " tokens long; " + model.id()
                    + " has a context of " + model.config().nCtx() + " tokens: shorten it");
        }
        request.ablation().check(model.config());
        return ids;
    }

    /** The ids with their texts, as the lens reports its input. */
    public static List<LensResult.Token> tokens(LoadedModel model, long[] ids) {
        return java.util.Arrays.stream(ids).mapToObj(id -> new LensResult.Token(id, model.tokenizer().text(id))).toList();
    }

    /**
     * Runs the lens, handing each layer to {@code onLayer} as soon as it is decoded (layer 0 first).
     * Must run on the thread that owns the model's device (see ModelPool).
     */
    public static LensResult run(LoadedModel model, Request request, Consumer<LensResult.Layer> onLayer) {
        return run(model, request, tokenize(model, request), null, onLayer, () -> false);
    }

    /** As {@link #run(LoadedModel, Request, Consumer)}, on ids already {@link #tokenize}d from the request's prompt. */
    public static LensResult run(LoadedModel model, Request request, long[] ids, Consumer<LensResult.Layer> onLayer) {
        return run(model, request, ids, null, onLayer, () -> false);
    }

    /** The lens through a decoder, to the end: see {@link #run(LoadedModel, Request, long[], TunedLensWeights, Consumer, BooleanSupplier)}. */
    public static LensResult run(LoadedModel model, Request request, long[] ids, TunedLensWeights tuned,
                                 Consumer<LensResult.Layer> onLayer) {
        return run(model, request, ids, tuned, onLayer, () -> false);
    }

    /**
     * As {@link #run(LoadedModel, Request, Consumer)}, on ids already {@link #tokenize}d from the request's prompt,
     * through a decoder: {@code tuned} null for the logit lens, else a tuned lens (already checked to fit the model)
     * whose translators apply to each layer's residual stream before the final norm. Before each layer asks
     * {@code stop} whether anyone still wants the rest, and if not throws {@link CancellationException} (the forward
     * pass and the current chunk's GEMM are the most it wastes).
     */
    public static LensResult run(LoadedModel model, Request request, long[] ids, TunedLensWeights tuned,
                                 Consumer<LensResult.Layer> onLayer, BooleanSupplier stop) {
        Transformer tf = model.transformer();
        List<Row> rows = rows(model.config().nLayers(), request.subBlocks());
        int last = rows.size() - 1;
        List<LensResult.Layer> layers = new ArrayList<>();
        LensResult.Layer output = null;
        try (NDManager scope = model.newScope()) {
            int blocks = model.config().nLayers();
            NDArray embeds = tf.embed(scope.create(ids).reshape(1, ids.length));
            // the residual streams of the pass with the ablated components removed (none: the plain pass)
            ActivationCache cache = ActivationCache.of(Hooks::isResidual)
                    .with(request.ablation().intervention(tf, embeds, blocks, scope));
            tf.forward(embeds, Forward.residualAfter(blocks), cache);
            Translators translators = tuned == null ? Translators.none() : Translators.of(tuned, scope);
            Targets targets = null;
            for (List<Integer> chunk : chunks(rows.size(), rowsPerChunk(ids.length, model.config().vocabSize()))) {
                try (NDManager chunkScope = scope.newSubManager()) {
                    NDArray logits = logits(tf, residualRows(cache, translators, rows, chunk, chunkScope)); // [chunk rows, T, V]
                    if (targets == null) { // the first chunk holds the input row and the output row, in that order
                        targets = Targets.of(logits, ids, scope);
                    }
                    for (int j = 0; j < chunk.size(); j++) {
                        int r = chunk.get(j);
                        if (stop.getAsBoolean()) {
                            throw new CancellationException("the logit lens was stopped: nobody is waiting for it");
                        }
                        int own = r == 0 ? Targets.INPUT : r == last ? Targets.OUTPUT : -1;
                        LensResult.Layer layer = decode(rows.get(r), logits.get(j), own, targets, request.topk(),
                                model.tokenizer());
                        if (r == last) {
                            output = layer; // decoded first as the KL reference, reported last
                        } else {
                            layers.add(layer);
                            onLayer.accept(layer);
                        }
                    }
                }
            }
        }
        layers.add(output);
        onLayer.accept(output);
        return new LensResult(model.id(), model.dtype().id, tuned == null ? LensResult.LOGIT : LensResult.TUNED + tuned.id(), request.prompt(),
                tokens(model, ids), layers, request.ablation().ablates() ? request.ablation() : null);
    }

    /** A row of the lens: its layer number (l - 0.5 for a sub-block row) and the hook it decodes. */
    private record Row(Number layer, String hook) {}

    private static List<Row> rows(int nLayers, boolean subBlocks) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(0, Hooks.residPre(0)));
        for (int l = 1; l <= nLayers; l++) {
            if (subBlocks) {
                rows.add(new Row(l - 0.5, Hooks.residMid(l - 1)));
            }
            rows.add(new Row(l, Hooks.residPost(l - 1)));
        }
        return rows;
    }

    /** Rows per GEMM: as many [T, V] float32 blocks as fit in {@link #CHUNK_ELEMENTS}, at least the two references. */
    private static int rowsPerChunk(int tokens, int vocab) {
        return (int) Math.max(2, CHUNK_ELEMENTS / ((long) tokens * vocab));
    }

    /**
     * Row indices 0..n-1 in chunks of at most {@code size}: the first chunk starts with the input row 0 and the output
     * row n-1, which every row is compared with, then the rows in order.
     */
    private static List<List<Integer>> chunks(int n, int size) {
        List<Integer> order = new ArrayList<>(List.of(0, n - 1));
        for (int r = 1; r < n - 1; r++) {
            order.add(r);
        }
        List<List<Integer>> chunks = new ArrayList<>();
        for (int from = 0; from < n; from += size) {
            chunks.add(order.subList(from, Math.min(n, from + size)));
        }
        return chunks;
    }

    /**
     * h_l: the residual streams the chunk's rows decode, as one [rows, T, d_model] array, each through its decoder's
     * translator (the tuned lens's h_l + A_l h_l + b_l; none for the logit lens). The decoder's input is made here
     * and nowhere else.
     */
    private static NDArray residualRows(ActivationCache cache, Translators translators, List<Row> rows, List<Integer> chunk,
                                        NDManager scope) {
        NDList h = new NDList();
        for (int r : chunk) {
            String hook = rows.get(r).hook();
            h.add(translators.apply(hook, cache.get(hook), scope));
        }
        NDArray stacked = NDArrays.concat(h, 0);
        stacked.attach(scope);
        return stacked;
    }

    /** logits = final_norm(h) W_U for h [rows, T, d_model]: one GEMM of rows * T by d_model by V. */
    private static NDArray logits(Transformer tf, NDArray h) {
        return tf.unembed(tf.finalNorm(h)).toType(DataType.FLOAT32, false); // the metrics read float32 (no copy when it is)
    }

    /**
     * What every row is compared with: the input and output distributions, stacked in that order as lp and p
     * [2, T, V], and per position the token ids whose ranks are reported [T, 3]: the output's top-1, the true next
     * token (the token itself at the last position, whose next-token values are not reported) and the input token;
     * and the next tokens alone [T, 1].
     */
    private record Targets(NDArray lp, NDArray p, NDArray rankIds, NDArray next) {

        static final int INPUT = 0;
        static final int OUTPUT = 1;

        /** From the first chunk's logits [rows, T, V], whose rows 0 and 1 are the input and output rows. */
        static Targets of(NDArray firstChunk, long[] ids, NDManager scope) {
            int t = ids.length;
            NDArray lp;
            NDArray p;
            long[] top1;
            try (NDManager temporaries = scope.newSubManager()) {
                // Both rows as one [2T, V] distribution, reshaped to [2, T, V] views: no stacking copies.
                NDArray both = firstChunk.get("0:2").duplicate(); // the distribution overwrites its logits
                both.attach(temporaries);
                long v = both.getShape().get(2);
                LensDistribution d = LensDistribution.of(both.reshape(2L * t, v), 1);
                // argMax, not the top-k: on an exact tie it names the first maximal id, as the reference implementation does
                top1 = firstChunk.get(OUTPUT).argMax(-1).toLongArray();
                lp = d.lp.reshape(2, t, v);
                p = d.p().reshape(2, t, v);
                scope.attachAll(lp, p);
            }
            long[] next = new long[t];
            long[] rankIds = new long[t * 3];
            for (int i = 0; i < t; i++) {
                next[i] = i + 1 < t ? ids[i + 1] : ids[i];
                rankIds[3 * i] = top1[i];
                rankIds[3 * i + 1] = next[i];
                rankIds[3 * i + 2] = ids[i];
            }
            return new Targets(lp, p, scope.create(rankIds).reshape(t, 3), scope.create(next).reshape(t, 1));
        }

        /** {@code a} at {@code index} (a range of positions), as a view owned by {@code scope}. */
        static NDArray positions(NDArray a, String index, NDManager scope) {
            NDArray view = a.get(index);
            view.attach(scope);
            return view;
        }
    }

    /**
     * Positions per block of a row's metrics: [block, V] float32 arrays of about 4 MiB (20 positions of GPT-2's
     * vocabulary). Every block costs the same forty-odd engine calls whatever its size, and at 32 tokens those calls
     * outweighed the arithmetic; larger blocks no longer keep their few temporaries in the last-level cache. Measured
     * at 32 tokens on 2 cores: 1 MiB blocks 640-700 ms, 2 MiB 680, 4 MiB 490-525, 8 MiB 530, 16 MiB 530-550.
     */
    private static int positionsPerBlock(int vocab) {
        return Math.max(1, (1 << 20) / vocab);
    }

    /**
     * One row's metrics from its logits [T, V] (attached to its chunk's manager, and overwritten), a block of
     * positions at a time, each block's temporaries in a scope of its own (every operation's result belongs to its
     * first operand's manager, so each chain starts from the block's arrays). The input and output rows report
     * their KL to themselves as exactly 0. Only [T, k]-sized results leave the device.
     */
    private static LensResult.Layer decode(Row row, NDArray logits, int own, Targets ref, int k, LensTokenizer tok) {
        int t = (int) logits.getShape().get(0);
        int block = positionsPerBlock((int) logits.getShape().get(1));
        RowValues values = new RowValues(t, k);
        for (int from = 0; from < t; from += block) {
            int to = Math.min(t, from + block);
            try (NDManager scope = logits.getManager().newSubManager()) {
                String range = from + ":" + to;
                NDArray x = Targets.positions(logits, range, scope);
                NDArray rankIds = Targets.positions(ref.rankIds, range, scope);
                long[] ranks = ranks(x, rankIds); // before x becomes z
                LensDistribution d = LensDistribution.of(x, k);
                String refRange = ":, " + range;
                float[] kl = d.klFrom(Targets.positions(ref.lp, refRange, scope), Targets.positions(ref.p, refRange, scope));
                values.put(from, to - from, d, kl, own, ranks, Targets.positions(ref.next, range, scope));
            }
        }
        return values.layer(row, tok);
    }

    /** A row's metrics on the Java heap, filled a block of positions at a time. */
    private static final class RowValues {
        final int t;
        final int k;
        final float[] entropy;
        final float[] klFinal;
        final float[] klInput;
        final float[] logProbNext;
        final long[] ranks;
        final long[] topIds;
        final float[] topLogProbs;
        final float[] topLogits;

        RowValues(int t, int k) {
            this.t = t;
            this.k = k;
            entropy = new float[t];
            klFinal = new float[t];
            klInput = new float[t];
            logProbNext = new float[t];
            ranks = new long[3 * t];
            topIds = new long[t * k];
            topLogProbs = new float[t * k];
            topLogits = new float[t * k];
        }

        /**
         * Positions from..from+b-1: distribution d, its KLs from the input and output rows (reference-major,
         * {@code own} the reference this row is, or -1) and its ranks of the target ids.
         */
        void put(int from, int b, LensDistribution d, float[] kl, int own, long[] blockRanks, NDArray next) {
            System.arraycopy(d.topIds, 0, topIds, k * from, b * k);
            System.arraycopy(d.topLogits, 0, topLogits, k * from, b * k);
            System.arraycopy(d.topLogProbs(), 0, topLogProbs, k * from, b * k);
            // log p_l(x_{i+1}): its negative is the lens's cross-entropy at position i
            System.arraycopy(d.logProbs(next), 0, logProbNext, from, b);
            System.arraycopy(d.entropy(), 0, entropy, from, b);
            for (int i = 0; i < b; i++) {
                klFinal[from + i] = own == Targets.OUTPUT ? 0f : kl[Targets.OUTPUT * b + i];
                klInput[from + i] = own == Targets.INPUT ? 0f : kl[Targets.INPUT * b + i];
            }
            System.arraycopy(blockRanks, 0, ranks, 3 * from, 3 * b);
        }

        LensResult.Layer layer(Row row, LensTokenizer tok) {
            List<LensResult.Position> positions = new ArrayList<>(t);
            for (int i = 0; i < t; i++) {
                List<LensResult.TopToken> topTokens = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    long id = topIds[i * k + j];
                    topTokens.add(new LensResult.TopToken(id, tok.text(id), Math.exp(topLogProbs[i * k + j]), topLogits[i * k + j]));
                }
                // KL is >= 0; clamp float32 rounding below an exact 0.
                positions.add(new LensResult.Position(topTokens, entropy[i], Math.max(0, klFinal[i]), Math.max(0, klInput[i]),
                        ranks[3 * i], i + 1 < t ? ranks[3 * i + 1] : null, ranks[3 * i + 2],
                        i + 1 < t ? (double) logProbNext[i] : null));
            }
            return new LensResult.Layer(row.layer(), row.hook(), positions);
        }
    }

    /**
     * 1 + the number of logits strictly larger than each target's, for logits x [T, V] and target ids [T, 3]:
     * [T * 3], one comparison pass over x per target column (no [T, 3, V] temporary).
     */
    private static long[] ranks(NDArray x, NDArray targetIds) {
        NDArray values = x.gather(targetIds, 1); // [T, 3]
        NDList counts = new NDList();
        for (int j = 0; j < 3; j++) {
            counts.add(x.gt(values.get(":, " + j + ":" + (j + 1))).sum(new int[] {-1}, true));
        }
        return NDArrays.concat(counts, 1).add(1).toLongArray();
    }
}
