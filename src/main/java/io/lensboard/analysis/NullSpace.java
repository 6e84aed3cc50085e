package io.lensboard.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Right-singular vectors orthogonal to every row of a matrix g [T, d] (T < d), from its full SVD g = U Σ Vᵀ in
 * float64 (EJML): with the singular values in descending order, the last d − rank(g) rows of Vᵀ span the null space.
 */
final class NullSpace {
    private NullSpace() {}

    /** The last {@code count} rows of Vᵀ, [count][d], the very last one last. */
    static double[][] lastRows(double[] g, int rows, int cols, int count) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols, true, g);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, false, true, false);
        if (!svd.decompose(m)) {
            throw new IllegalStateException("the SVD of the gradient did not converge");
        }
        DMatrixRMaj w = svd.getW(null);
        DMatrixRMaj v = svd.getV(null, false); // V [d, d]: its columns are the rows of Vᵀ
        SingularOps_DDRM.descendingOrder(null, false, w, v, false);
        double[][] out = new double[count][cols];
        for (int r = 0; r < count; r++) {
            int column = cols - count + r;
            for (int i = 0; i < cols; i++) {
                out[r][i] = v.get(i, column);
            }
        }
        return out;
    }
}
