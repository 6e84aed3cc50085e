package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * One layer's decoded distribution over the vocabulary, in float32 on the device: logits x [T, V], log-probabilities
 * lp = x - logsumexp(x) and probabilities p [T, V]. Every array is attached to the manager of {@code x}.
 *
 * <p>The log-sum-exp is taken as m + log1p(r), m = max x and r = sum of exp(x - m) over all but one maximal logit,
 * rather than log(sum exp(x - m)): near a one-hot distribution the sum is 1 + r with r below float32's resolution at
 * 1, so log(sum) would round to 0 and the top token's lp (about -r), the entropy and small KLs with it would lose
 * every digit (entropies of 1e-7 nats occur in the goldens).
 */
record LensDistribution(NDArray x, NDArray lp, NDArray p) {

    static LensDistribution of(NDArray logits) {
        NDArray x = logits.toType(DataType.FLOAT32, false);
        NDArray z = x.sub(x.max(new int[] {-1}, true)); // <= 0, exactly 0 at the maximal logits
        NDArray e = z.exp();
        NDArray below = z.lt(0f);
        // r = sum over the logits below the maximum + (number of maximal logits - 1): the sum of exp(z) less one 1.
        long vocab = x.getShape().get(1);
        NDArray tiesLessOne = below.sum(new int[] {-1}, true).toType(DataType.FLOAT32, false).neg().add(vocab - 1f);
        NDArray r = e.mul(below.toType(DataType.FLOAT32, false)).sum(new int[] {-1}, true).add(tiesLessOne);
        NDArray s = r.add(1f); // sum of exp(z), as rounded in float32
        NDArray lp = z.sub(log1p(r, s));
        return new LensDistribution(x, lp, e.div(s));
    }

    /** log(1 + r) to float32 precision for small r, given s = 1 + r rounded: log(s) * r / (s - 1) (Goldberg, 1991). */
    private static NDArray log1p(NDArray r, NDArray s) {
        return NDArrays.where(s.eq(1f), r, s.log().mul(r).div(s.sub(1f)));
    }

    /** -sum_v p lp per position [T]. */
    NDArray entropy() {
        return rowDot(p, lp).neg();
    }

    /**
     * KL(P || this) = sum_v P (lp_P - lp) per position [T], P a reference layer. Differences first, then the weighted
     * sum: sum P lp_P - sum P lp would cancel two large float32 sums where the layers agree.
     */
    NDArray klFrom(LensDistribution reference) {
        return rowDot(lp.sub(reference.lp), reference.p).neg();
    }

    /**
     * sum_v a[t, v] b[t, v] for every position t: [T]. A product then a sum, whose pairwise (cascade) summation keeps
     * small terms that a matrix product's running float32 sum drops once one term is large (a KL of 22 nats lost 2e-3).
     */
    private static NDArray rowDot(NDArray a, NDArray b) {
        return a.mul(b).sum(new int[] {-1});
    }
}
