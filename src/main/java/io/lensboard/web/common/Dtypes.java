package io.lensboard.web.common;

import io.lensboard.model.Dtype;

/** A request's {@code dtype} parameter: absent or empty means the model's default (null for the pool). */
public final class Dtypes {
    private Dtypes() {}

    /** The parameter as the API documents it. */
    public static final String DESCRIPTION = "float32, bfloat16 or float16: the precision the weights are held in (default: the catalog's for the model, else float32)";

    public static Dtype parse(String dtype) {
        return dtype == null || dtype.isBlank() ? null : Dtype.parse(dtype);
    }
}
