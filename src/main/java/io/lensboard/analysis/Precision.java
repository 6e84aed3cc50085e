package io.lensboard.analysis;

import ai.djl.ndarray.types.DataType;

/** The type of a whole sentence-representation computation: weights (cast), activations and gradients. */
public enum Precision {
    FLOAT32(DataType.FLOAT32), FLOAT64(DataType.FLOAT64);

    private final DataType type;

    Precision(DataType type) {
        this.type = type;
    }

    public DataType type() {
        return type;
    }
}
