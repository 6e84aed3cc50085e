package io.lensboard.web;

import io.lensboard.model.Dtype;

/** A request's {@code dtype} parameter: absent or empty means the model's default (null for the pool). */
final class Dtypes {
    private Dtypes() {}

    static Dtype parse(String dtype) {
        return dtype == null || dtype.isBlank() ? null : Dtype.parse(dtype);
    }
}
