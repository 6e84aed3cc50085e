package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.Scalars;

/**
 * y = x Wᵀ + b with PyTorch's default initialisation of nn.Linear: W ~ kaiming_uniform(a = √5), that is
 * U(−1/√fan_in, 1/√fan_in), and b ~ U(−1/√fan_in, 1/√fan_in), drawn in float32 from the engine's generator in
 * nn.Linear's order (W, then b), then cast to the computation's type.
 */
record Linear(NDArray w, NDArray b) {

    static Linear init(long in, long out, DataType type, NDManager manager) {
        // as torch.nn.init.kaiming_uniform_: gain = sqrt(2 / (1 + a^2)), bound = sqrt(3) * gain / sqrt(fan_in)
        float bound = (float) (Math.sqrt(3.0) * Math.sqrt(2.0 / (1 + 5)) / Math.sqrt(in));
        NDArray w = manager.randomUniform(-bound, bound, new Shape(out, in), DataType.FLOAT32);
        float biasBound = (float) (1 / Math.sqrt(in));
        NDArray b = manager.randomUniform(-biasBound, biasBound, new Shape(out), DataType.FLOAT32);
        return new Linear(w.toType(type, false), b.toType(type, false));
    }

    NDArray apply(NDArray x) {
        return x.matMul(w.transpose()).add(b);
    }

    /** torch.nn.GELU (exact): x/2 (1 + erf(x/√2)). */
    static NDArray gelu(NDArray x) {
        return Scalars.times(x, 0.5).mul(Scalars.over(x, Math.sqrt(2)).erf().add(1));
    }
}
