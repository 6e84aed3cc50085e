package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Top-k over the last axis of scores [T, V], laid out as [k][T] (row 0 is the top-1 decoding). */
final class TopK {
    private TopK() {}

    static long[][] perPosition(NDArray scores, int k) {
        NDList top = scores.topK(k, -1, true, true);
        long[] flat = top.get(1).toLongArray();
        int t = (int) scores.getShape().get(0);
        long[][] out = new long[k][t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < k; j++) {
                out[j][i] = flat[i * k + j];
            }
        }
        return out;
    }
}
