package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * One layer's decoded distribution over the vocabulary for some positions, in float32 on the device: logits x [T, V],
 * log-probabilities lp = x - logsumexp(x) and probabilities p [T, V]. Every array is attached to the manager of
 * {@code x}.
 *
 * <p>The log-sum-exp is taken as m + log1p(r), m = max x and r = sum of exp(x - m) over all but one maximal logit,
 * rather than log(sum exp(x - m)): near a one-hot distribution the sum is 1 + r with r below float32's resolution at
 * 1, so log(sum) would round to 0 and the top token's lp (about -r), the entropy and small KLs with it would lose
 * every digit (entropies of 1e-7 nats occur in the goldens).
 */
record LensDistribution(NDArray x, NDArray lp, NDArray p) {

    static LensDistribution of(NDArray logits) {
        NDArray x = logits.toType(DataType.FLOAT32, false);
        long t = x.getShape().get(0);
        NDArray top = x.argMax(-1);
        NDIndex topCells = new NDIndex("{}, {}", x.getManager().arange(0L, t, 1L, DataType.INT64), top);
        NDArray z = x.sub(x.gather(top.reshape(t, 1), 1)); // x - m <= 0
        z.set(topCells, Float.NEGATIVE_INFINITY); // leaves one maximal logit out of r; ties with it stay in
        NDArray e = z.exp();
        NDArray r = e.sum(new int[] {-1}, true);
        NDArray s = r.add(1f); // sum of exp(x - m), as rounded in float32
        NDArray logSum = log1p(r, s);
        NDArray lp = z.sub(logSum);
        lp.set(topCells, logSum.neg().reshape(t)); // lp = 0 - log1p(r) at the one left out
        NDArray p = e.div(s);
        p.set(topCells, s.pow(-1f).reshape(t));
        return new LensDistribution(x, lp, p);
    }

    /** Positions from..to-1, as views owned by {@code scope}. */
    LensDistribution positions(int from, int to, NDManager scope) {
        String range = from + ":" + to;
        NDArray xs = x.get(range);
        NDArray lps = lp.get(range);
        NDArray ps = p.get(range);
        scope.attachAll(xs, lps, ps);
        return new LensDistribution(xs, lps, ps);
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
