package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** A float64 run's Adam is float64 Adam: its betas and ε are the doubles, not float32 values widened (issue 23 item 3). */
class AdamPrecisionTest {

    @Test
    void aFloat64StepIsTheFloat64Formula() {
        double[] grads = {0.3, -1.7e-3, 42.0};
        try (NDManager run = NDManager.newBaseManager(); NDManager step = run.newSubManager()) {
            Adam adam = new Adam(run, new Shape(grads.length), DataType.FLOAT64);
            double[] m = new double[grads.length];
            double[] v = new double[grads.length];
            for (int n = 1; n <= 3; n++) {
                NDArray g = run.create(grads).mul(n); // a different gradient each step
                double[] got = adam.direction(g, step).toDoubleArray();
                for (int i = 0; i < grads.length; i++) {
                    double gi = grads[i] * n;
                    m[i] = m[i] * 0.9 + gi * (1 - 0.9);
                    v[i] = v[i] * 0.999 + gi * gi * (1 - 0.999);
                    double mHat = m[i] / (1 - Math.pow(0.9, n));
                    double vHat = v[i] / (1 - Math.pow(0.999, n));
                    assertEquals(mHat / (Math.sqrt(vHat) + 1e-8), got[i], Math.ulp(got[i]) * 4, "step " + n + ", element " + i);
                }
            }
        }
    }
}
