package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
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
import java.util.function.Consumer;
import java.util.function.BiFunction;

/**
 * The logit lens (nostalgebraist, 2020): decode every layer's residual stream through the final norm
 * and the unembedding, as if the model stopped there. Probabilities, entropies and KLs are computed in
 * float64 from the float32 logits; ranks compare the float32 logits themselves.
 */
public final class LogitLens {
    public static final int MAX_TOPK = 100;

    private LogitLens() {}

    public record Request(String prompt, int topk, boolean subBlocks) {}

    /** Tokenizes and checks the prompt against the model's context; throws {@link InvalidInputException}. */
    public static long[] tokenize(LoadedModel model, Request request) {
        if (request.prompt() == null || request.prompt().isEmpty()) {
            throw new InvalidInputException("prompt is empty: give some text to decode");
        }
        if (request.topk() < 1 || request.topk() > MAX_TOPK) {
            throw new InvalidInputException("topk must be between 1 and " + MAX_TOPK + ", got " + request.topk());
        }
        long[] ids = model.tokenizer().encode(request.prompt());
        if (ids.length == 0) {
            throw new InvalidInputException("prompt has no tokens: give some text to decode");
        }
        if (ids.length > model.config().nCtx()) {
            throw new InvalidInputException("prompt is " + ids.length + " tokens long; " + model.id()
                    + " has a context of " + model.config().nCtx() + " tokens: shorten it");
        }
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
        return run(model, request, tokenize(model, request), onLayer);
    }

    /** As {@link #run(LoadedModel, Request, Consumer)}, on ids already {@link #tokenize}d from the request's prompt. */
    public static LensResult run(LoadedModel model, Request request, long[] ids, Consumer<LensResult.Layer> onLayer) {
        return run(model, request, ids, null, onLayer);
    }

    /**
     * The lens through a decoder: {@code tuned} null for the logit lens, else a tuned lens (already checked to fit the
     * model) whose translators apply to each layer's residual stream before the final norm.
     */
    public static LensResult run(LoadedModel model, Request request, long[] ids, TunedLensWeights tuned,
                                 Consumer<LensResult.Layer> onLayer) {
        LensTokenizer tok = model.tokenizer();
        List<LensResult.Token> tokens = tokens(model, ids);
        Transformer tf = model.transformer();
        int nLayers = model.config().nLayers();
        List<LensResult.Layer> layers = new ArrayList<>();
        try (NDManager scope = model.newScope()) {
            ActivationCache cache = ActivationCache.of(Hooks::isResidual);
            NDArray idArray = scope.create(ids).reshape(1, ids.length);
            tf.forward(tf.embed(idArray), Forward.residualAfter(nLayers), cache);
            // The decoder's seam: each residual row as the decoder reads it, before the final norm.
            Translators translators = tuned == null ? Translators.none() : Translators.of(tuned, scope);
            BiFunction<String, NDManager, NDArray> resid = (hook, into) -> translators.apply(hook, cache.get(hook), into);

            Decoded output = decode(tf, resid.apply(Hooks.residPost(nLayers - 1), scope), scope);
            Decoded input = decode(tf, resid.apply(Hooks.residPre(0), scope), scope);
            NDArray finalProbs = column(output.logProbs.exp());
            NDArray inputProbs = column(input.logProbs.exp());
            Reference ref = new Reference(finalProbs, rowDot(output.logProbs, finalProbs), inputProbs,
                    rowDot(input.logProbs, inputProbs), ids, output.logits.argMax(-1).toLongArray(),
                    java.util.Map.of(Hooks.residPre(0), input, Hooks.residPost(nLayers - 1), output));

            layers.add(decodeAndEmit(0, Hooks.residPre(0), tf, resid, ref, request, tok, onLayer));
            for (int l = 1; l <= nLayers; l++) {
                if (request.subBlocks()) {
                    layers.add(decodeAndEmit(l - 0.5, Hooks.residMid(l - 1), tf, resid, ref, request, tok, onLayer));
                }
                layers.add(decodeAndEmit(l, Hooks.residPost(l - 1), tf, resid, ref, request, tok, onLayer));
            }
        }
        return new LensResult(model.id(), tuned == null ? LensResult.LOGIT : LensResult.TUNED + tuned.id(), request.prompt(), tokens, layers);
    }

    private static LensResult.Layer decodeAndEmit(Number layer, String hook, Transformer tf, BiFunction<String, NDManager, NDArray> resid,
                                                  Reference ref, Request request, LensTokenizer tok,
                                                  Consumer<LensResult.Layer> onLayer) {
        // Every array of a row is attached to the row's scope: ops are chained from the row's own arrays.
        // The input and output rows reuse their reference decodings; their few temporaries live in the
        // request's scope instead.
        try (NDManager rowScope = ref.finalProbs.getManager().newSubManager()) {
            Decoded d = ref.decoded.containsKey(hook) ? ref.decoded.get(hook) : decode(tf, resid.apply(hook, rowScope), rowScope);
            LensResult.Layer row = emit(layer, hook, d, ref, request, tok);
            onLayer.accept(row);
            return row;
        }
    }

    /** A layer decoded: float32 logits [T, V] and float64 log-probabilities [T, V]. */
    private record Decoded(NDArray logits, NDArray logProbs) {}

    /**
     * What every row is compared with: the final and input layers' probabilities (as {@link #column}s)
     * and their sum P log P per position, the target tokens, and those two layers' decodings by hook.
     */
    private record Reference(NDArray finalProbs, NDArray finalPLogP, NDArray inputProbs, NDArray inputPLogP,
                             long[] ids, long[] finalTop1, java.util.Map<String, Decoded> decoded) {}

    /** [T, V] as [T, V, 1], the right-hand side of {@link #rowDot}. */
    private static NDArray column(NDArray a) {
        return a.expandDims(2);
    }

    /**
     * sum_v a[t, v] b[t, v, 0] for every position t, as a batched dot product with no [T, V] temporary;
     * the result is attached to {@code a}'s manager.
     */
    private static NDArray rowDot(NDArray a, NDArray bColumn) {
        return a.expandDims(1).matMul(bColumn).reshape(a.getShape().get(0));
    }

    private static Decoded decode(Transformer tf, NDArray resid, NDManager scope) {
        NDArray logits = tf.unembed(tf.finalNorm(resid)).squeeze(0);
        logits.attach(scope);
        NDArray logProbs = logits.toType(DataType.FLOAT64, false).logSoftmax(-1);
        logProbs.attach(scope);
        return new Decoded(logits, logProbs);
    }

    private static LensResult.Layer emit(Number layer, String hook, Decoded d, Reference ref, Request request,
                                         LensTokenizer tok) {
        NDArray lp = d.logProbs;
        double[] entropy = rowDot(lp, column(lp.exp())).neg().toDoubleArray();
        // KL(P || Q) = sum P log P - sum P log Q, Q this layer's distribution, P the final or the input layer's.
        double[] klFinal = rowDot(lp, ref.finalProbs).neg().add(ref.finalPLogP).toDoubleArray();
        double[] klInput = rowDot(lp, ref.inputProbs).neg().add(ref.inputPLogP).toDoubleArray();

        int t = ref.ids.length;
        long[] next = new long[t];
        for (int i = 0; i < t; i++) {
            next[i] = i + 1 < t ? ref.ids[i + 1] : ref.ids[i];
        }
        long[][] ranks = ranks(d.logits, ref.finalTop1, next, ref.ids);
        // log p_l(x_{i+1}): its negative is the lens's cross-entropy at position i
        double[] logProbNext = lp.gather(lp.getManager().create(next).reshape(t, 1), 1).toDoubleArray();

        int k = request.topk();
        NDList top = lp.topK(k, -1, true, true);
        long[] topIds = top.get(1).toLongArray();
        double[] topLogProbs = top.get(0).toDoubleArray();
        float[] topLogits = d.logits.gather(top.get(1), 1).toFloatArray();

        List<LensResult.Position> positions = new ArrayList<>(t);
        for (int i = 0; i < t; i++) {
            List<LensResult.TopToken> topTokens = new ArrayList<>(k);
            for (int j = 0; j < k; j++) {
                long id = topIds[i * k + j];
                topTokens.add(new LensResult.TopToken(id, tok.text(id), Math.exp(topLogProbs[i * k + j]), topLogits[i * k + j]));
            }
            // KL is >= 0; clamp the float64 rounding of an exact 0 (a layer against itself).
            positions.add(new LensResult.Position(topTokens, entropy[i], Math.max(0, klFinal[i]), Math.max(0, klInput[i]),
                    ranks[0][i], i + 1 < t ? ranks[1][i] : null, ranks[2][i], i + 1 < t ? logProbNext[i] : null));
        }
        return new LensResult.Layer(layer, hook, positions);
    }

    /** 1 + the number of logits strictly larger than the target's, per position, for each target list. */
    private static long[][] ranks(NDArray logits, long[]... targets) {
        NDManager m = logits.getManager();
        int t = targets[0].length;
        long[] flat = new long[t * targets.length];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < targets.length; j++) {
                flat[i * targets.length + j] = targets[j][i];
            }
        }
        NDArray idx = m.create(flat).reshape(t, targets.length);
        NDArray values = logits.gather(idx, 1); // [T, targets]
        long[] counts = logits.expandDims(1).gt(values.expandDims(-1)).sum(new int[] {-1}).toLongArray();
        long[][] out = new long[targets.length][t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < targets.length; j++) {
                out[j][i] = counts[i * targets.length + j] + 1;
            }
        }
        return out;
    }
}
