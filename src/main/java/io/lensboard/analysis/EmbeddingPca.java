package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Comparator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Principal components of the token embedding matrix W_E [V, d]: the eigenvectors of its covariance
 * (W_E − mean)^T (W_E − mean) / V, in float64 (EJML's symmetric eigen-decomposition), ordered by variance.
 */
final class EmbeddingPca {
    private EmbeddingPca() {}

    /** The components as the columns of a [d, d] float32 array owned by {@code manager}, the largest variance first. */
    static NDArray components(NDArray embedding, NDManager manager) {
        int d = (int) embedding.getShape().get(1);
        double[] cov;
        try (NDManager scope = manager.newSubManager()) {
            NDArray e = Scopes.copy(embedding, scope).toType(DataType.FLOAT64, false);
            NDArray centred = e.sub(e.mean(new int[] {0}, true));
            cov = centred.transpose().matMul(centred).div(embedding.getShape().get(0)).toDoubleArray();
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(new DMatrixRMaj(d, d, true, cov))) {
            throw new IllegalStateException("the eigen-decomposition of the embedding covariance did not converge");
        }
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> eig.getEigenvalue(i).getReal()).reversed());
        float[] columns = new float[d * d];
        for (int k = 0; k < d; k++) {
            DMatrixRMaj v = eig.getEigenVector(order[k]);
            for (int i = 0; i < d; i++) {
                columns[i * d + k] = (float) v.get(i, 0);
            }
        }
        return manager.create(columns).reshape(d, d);
    }
}
