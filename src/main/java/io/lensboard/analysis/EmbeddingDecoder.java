package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Maps input embeddings back to tokens through the Moore-Penrose pseudo-inverse of the token embedding
 * W [V, d] (full column rank): the least-norm a with Wᵀa = e is a = W (WᵀW)⁻¹ e = P e, and for the
 * embedding of a token it peaks at that token. P is computed in float64, then kept in float32; the decoding
 * is the argmax (top-k) of the scores P e.
 */
final class EmbeddingDecoder {
    private final NDArray decoderT; // Pᵀ [d, V]

    EmbeddingDecoder(NDArray w, NDManager scope) {
        try (NDManager tmp = scope.newSubManager()) {
            NDArray w64 = w.toType(DataType.FLOAT64, true);
            w64.attach(tmp);
            NDArray gram = w64.transpose().matMul(w64); // WᵀW, [d, d]
            NDArray p = w64.matMul(gram.inverse()).transpose().toType(DataType.FLOAT32, false);
            p.attach(scope);
            decoderT = p;
        }
    }

    /** The top-k token ids per position of embeddings e [T, d] (owned by the caller's scope): [k][T]. */
    long[][] topk(NDArray e, int k) {
        return TopK.perPosition(e.matMul(decoderT), k);
    }
}
