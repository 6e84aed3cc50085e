package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Adam's moment estimates for one optimised array (Kingma and Ba, default betas). A float32 run computes with the float
 * constants it always had (bit-identical results); a float64 run with the doubles, so that it is float64 Adam.
 */
final class Adam {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;
    private static final double BETA1_64 = 0.9;
    private static final double BETA2_64 = 0.999;
    private static final double EPS_64 = 1e-8;

    private NDArray m;
    private NDArray v;
    private int n;

    /** Moments live in {@code run}, the optimisation's own manager. */
    Adam(NDManager run, Shape shape) {
        this(run, shape, DataType.FLOAT32);
    }

    /** Moments of the optimised array's type (float64 keeps a float64 run float64 throughout). */
    Adam(NDManager run, Shape shape, DataType type) {
        m = run.zeros(shape, type);
        v = run.zeros(shape, type);
    }

    /** The moments and their step count t, for a checkpoint. */
    void save(DataOutput out) throws IOException {
        out.writeInt(n);
        Snapshots.write(out, m);
        Snapshots.write(out, v);
    }

    /** The moments {@link #save} wrote, in {@code run} (the manager of the ones they replace). */
    void restore(DataInput in, NDManager run) throws IOException {
        n = in.readInt();
        NDArray m1 = Snapshots.like(Snapshots.read(in, run), m, "Adam m");
        NDArray v1 = Snapshots.like(Snapshots.read(in, run), v, "Adam v");
        m.close();
        v.close();
        m = m1;
        v = v1;
    }

    /** The step m̂ / (√v̂ + ε) for this gradient, owned by {@code stepScope}; the caller scales it by the rate. */
    NDArray direction(NDArray grad, NDManager stepScope) {
        n++;
        if (m.getDataType() == DataType.FLOAT64) {
            m.muli(BETA1_64).addi(grad.mul(1 - BETA1_64));
            v.muli(BETA2_64).addi(grad.square().mul(1 - BETA2_64));
            NDArray mHat = Scopes.copy(m, stepScope).div(1 - Math.pow(BETA1_64, n));
            NDArray vHat = Scopes.copy(v, stepScope).div(1 - Math.pow(BETA2_64, n));
            return mHat.div(vHat.sqrt().add(EPS_64));
        }
        m.muli(BETA1).addi(grad.mul(1 - BETA1));
        v.muli(BETA2).addi(grad.square().mul(1 - BETA2));
        NDArray mHat = Scopes.copy(m, stepScope).div((float) (1 - Math.pow(BETA1, n)));
        NDArray vHat = Scopes.copy(v, stepScope).div((float) (1 - Math.pow(BETA2, n)));
        return mHat.div(vHat.sqrt().add(EPS));
    }
}
