package io.lensboard.analysis;

import java.util.HashSet;
import java.util.Set;

/** Repetition of a decoding: the fraction of positions whose token already occurs at an earlier position. */
public final class Repetition {
    private Repetition() {}

    /** For ids [T]: |{t : ids[t] ∈ ids[0..t-1]}| / T (0 for an empty decoding). */
    public static double of(long[] ids) {
        Set<Long> seen = new HashSet<>();
        int repeated = 0;
        for (long id : ids) {
            repeated += seen.add(id) ? 0 : 1;
        }
        return ids.length == 0 ? 0 : (double) repeated / ids.length;
    }

    /** Per row of top-k decodings [k][T] (row 0 is the top-1): each row's repetition. */
    public static double[] rows(long[][] topk) {
        double[] out = new double[topk.length];
        for (int j = 0; j < topk.length; j++) {
            out[j] = of(topk[j]);
        }
        return out;
    }
}
