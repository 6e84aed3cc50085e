package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lensboard.model.LoadedModel;

/**
 * What the sentence-representation analyses share: the prompt's tokens, its embedding e [1, T, d] in the run's
 * precision, the network O_l and the target output O_l(e), and decoding an embedding back to tokens through W⁺.
 * Every array lives in the run's manager {@code run}; per-step work passes its own scope.
 */
final class SentenceTarget {
    private final LoadedModel model;
    private final DataType type;
    private final long[] ids;
    private final NDArray e;
    private final TargetNetwork network;
    private final NDArray targetOut;
    private final EmbeddingDecoder decoder;

    SentenceTarget(LoadedModel model, String prompt, NetworkSpec spec, NDManager run) {
        this.model = model;
        this.type = spec.precision().type();
        this.ids = LogitLens.tokenize(model, new LogitLens.Request(prompt, 1, false));
        this.network = spec.build(model, ids.length, run);
        this.e = embed(ids, run);
        this.targetOut = network.output(e);
        this.decoder = new EmbeddingDecoder(model.transformer().tokenEmbedding(), run);
    }

    long[] ids() {
        return ids.clone();
    }

    /** The target embedding e [1, T, d]; callers copy it into their own scope before arithmetic. */
    NDArray e() {
        return e;
    }

    DataType type() {
        return type;
    }

    /** W_E[ids] as [1, T, d] in the run's precision, owned by {@code scope}. */
    NDArray embed(long[] tokens, NDManager scope) {
        NDArray x = model.transformer().embed(scope.create(tokens).reshape(1, tokens.length));
        return type == DataType.FLOAT32 ? x : x.toType(type, false);
    }

    NDArray output(NDArray x) {
        return network.output(x);
    }

    /** O_l(x) − O_l(e), in x's manager. */
    NDArray outputDiff(NDArray x) {
        return network.output(x).sub(targetOut);
    }

    /** d_o = ‖O_l(x) − O_l(e)‖₁ for x owned by a step's scope. */
    double outputDistance(NDArray x) {
        return scalar(outputDiff(x).abs().sum());
    }

    /** The top-k decodings [k][T] of x [1, T, d] (owned by a step's scope): argmax W⁺ x per position. */
    long[][] decode(NDArray x, int k) {
        NDArray x32 = type == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        return decoder.topk(x32.squeeze(0), k);
    }

    /** m_g = ‖O_l(e_g) − O_l(e)‖₁ for the decoded tokens' embedding e_g (sentence representation, eq. 4). */
    double decodedDistance(long[] decoded, NDManager scope) {
        return outputDistance(embed(decoded, scope));
    }

    /** The text the tokens stand for. */
    String decodeText(long[] tokens) {
        return model.tokenizer().decode(tokens);
    }

    /** A scalar array's value as a double, whatever its type. */
    static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }
}
