package io.lensboard.model;

import ai.djl.ndarray.NDArray;

/**
 * Products, quotients and powers by a constant that autograd can keep. DJL 0.32's {@code x.mul(0.5f)} (and div, pow)
 * wraps the constant in a 0-d array over a Java direct buffer (torch::from_blob, no copy) and closes that array as
 * soon as the product is made; the product's backward node still holds the constant's storage, whose memory the
 * garbage collector then frees. A backward pass that runs after a collection multiplies by whatever lies there now:
 * under allocation pressure a run's gradient, then its input, became NaN (issue 23; reproduced by a collecting
 * thread beside an ascent). Here the constant is a 0-d array PyTorch allocates and reference-counts, attached to
 * the operand's manager, so a saved constant lives as long as the graph that saved it. The constant has the dtype
 * DJL would have given it (float32 for a float, float64 for a double, int32 for an int), so results are unchanged
 * to the bit. Use these for every constant operand of mul, div and pow on a path that may be differentiated; add and
 * sub by a constant save nothing and stay as they are.
 */
public final class Scalars {
    private Scalars() {}

    /**
     * The constant v in x's precision: a float32 v for a float32 x, the double itself for a float64 one, which must
     * compute the float64 function (0.044715f is 0.0447149984...: a float64 pass would be rounded by 3e-9).
     */
    public static Number in(NDArray x, double v) {
        if (x.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64) {
            return v; // not a conditional expression: it would unbox both branches to double
        }
        return (float) v;
    }

    /** x · c, c in the dtype its boxed type names (a Float float32, a Double float64). */
    public static NDArray times(NDArray x, Number c) {
        return x.mul(constant(x, c));
    }

    /** x / c, c in the dtype its boxed type names. */
    public static NDArray over(NDArray x, Number c) {
        return x.div(constant(x, c));
    }

    /** x^c for a whole exponent (int32, as DJL's {@code pow(int)}). */
    public static NDArray power(NDArray x, int c) {
        return x.pow(constant(x, c));
    }

    /**
     * c as the 0-d array DJL makes of it (same dtype, same value), copied into memory PyTorch owns, in x's manager
     * (closed with it, kept alive by any graph that saved it); the wrapper over the Java buffer is closed at once.
     */
    private static NDArray constant(NDArray x, Number c) {
        try (NDArray wrapped = x.getManager().create(c)) {
            return wrapped.duplicate();
        }
    }
}
