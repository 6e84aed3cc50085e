package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * One layer's decoded distribution over the vocabulary for b positions, in float32 on the device, from its logits
 * x [b, V] (which it turns into z in place: the caller's logits are spent). With m the largest logit of a position:
 * z = x - m, e = exp(z) except 0 at one maximal logit, r = sum of e, s = 1 + r, L = log(s) (so logsumexp(x) = m + L),
 * lp = z - L [b, V] on the device; the top k logits and their ids, m, r and L on the heap. Every array is attached
 * to the manager of {@code x}.
 *
 * <p>L is log1p(r) in double from r, not log(sum of exp(z)) in float32: near a one-hot distribution r is below
 * float32's resolution at 1, so log(1 + r) would round to 0 and the top token's lp (about -r), the entropy and small
 * KLs with it would lose every digit (entropies of 1e-7 nats occur in the goldens). For the same reason the entropy
 * is L + sum(e (-z)) / s, two non-negative terms, rather than a difference.
 *
 * <p>Every per-position quantity that a formula can give from [b]-sized values is computed on the heap, so that a
 * block costs as few engine calls as possible: at 32 tokens the calls, not the arithmetic, were most of the time.
 */
final class LensDistribution {
    final NDArray lp;
    final float[] topLogits;   // [b * k], largest first
    final long[] topIds;       // [b * k]
    final float[] max;         // m [b]
    final float[] r;           // [b]
    final float[] logSum;      // L [b]
    private final NDArray z;
    private final NDArray e;
    private final int k;

    private LensDistribution(NDArray x, int k) {
        this.k = k;
        int b = (int) x.getShape().get(0);
        NDList top = x.topK(k, -1, true, true);
        topLogits = top.get(0).toFloatArray();
        topIds = top.get(1).toLongArray();
        max = new float[b];
        for (int i = 0; i < b; i++) {
            max[i] = topLogits[i * k];
        }
        NDIndex topCells = new NDIndex("{}, {}", x.getManager().arange(0L, b, 1L, DataType.INT64), top.get(1).get(":, 0"));
        z = x.subi(top.get(0).get(":, 0:1")); // z <= 0
        z.set(topCells, Float.NEGATIVE_INFINITY); // leaves one maximal logit out of r; ties with it stay in
        e = z.exp();
        z.set(topCells, 0f);
        r = e.sum(new int[] {-1}).toFloatArray();
        logSum = new float[b];
        for (int i = 0; i < b; i++) {
            logSum[i] = (float) Math.log1p(r[i]);
        }
        lp = z.sub(x.getManager().create(logSum).reshape(b, 1));
    }

    /** The distribution of logits x [b, V] with its top k, x being overwritten. */
    static LensDistribution of(NDArray x, int k) {
        return new LensDistribution(x, k);
    }

    /** The probabilities p = e / s, with 1 / s at the maximal logit left out of r [b, V] (a reference row's). */
    NDArray p() {
        int b = r.length;
        float[] s = new float[b];
        for (int i = 0; i < b; i++) {
            s[i] = 1f + r[i];
        }
        NDArray sCol = e.getManager().create(s).reshape(b, 1);
        NDArray p = e.div(sCol);
        NDIndex topCells = new NDIndex("{}, {}", e.getManager().arange(0L, b, 1L, DataType.INT64),
                e.getManager().create(topIdsColumn()));
        p.set(topCells, sCol.pow(-1f).reshape(b));
        return p;
    }

    private long[] topIdsColumn() {
        long[] ids = new long[r.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = topIds[i * k];
        }
        return ids;
    }

    /** H = -sum p lp = L + sum(e (-z)) / s per position [b]; consumes e. */
    float[] entropy() {
        float[] ez = e.muli(z).sum(new int[] {-1}).toFloatArray();
        float[] h = new float[r.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) (logSum[i] + (-(double) ez[i]) / (1.0 + r[i]));
        }
        return h;
    }

    /** log p of token ids [b, 1] per position: z at the id, less L (the same float32 steps as lp). */
    float[] logProbs(NDArray ids) {
        float[] zAt = z.gather(ids, 1).toFloatArray();
        float[] out = new float[zAt.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = zAt[i] - logSum[i];
        }
        return out;
    }

    /** The top k's log-probabilities [b * k]: (x - m) - L, the same float32 steps as lp. */
    float[] topLogProbs() {
        float[] out = new float[topLogits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (topLogits[i] - max[i / k]) - logSum[i / k];
        }
        return out;
    }

    /**
     * KL(P || this) = sum_v P (lp_P - lp) per position, for reference distributions stacked as lpRefs and pRefs
     * [refs, b, V]: [refs * b], reference-major. Differences first, then the weighted sum: sum P lp_P - sum P lp
     * would cancel two large float32 sums where the layers agree. A product then a sum, whose pairwise (cascade)
     * summation keeps small terms that a matrix product's running float32 sum drops once one term is large (a KL of
     * 22 nats lost 2e-3).
     */
    float[] klFrom(NDArray lpRefs, NDArray pRefs) {
        return lpRefs.sub(lp).muli(pRefs).sum(new int[] {-1}).toFloatArray();
    }
}
