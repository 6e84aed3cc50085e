package io.lensboard.web.common;

import java.util.Locale;

/** How pages write a measured value. */
public final class Numbers {
    private Numbers() {}

    /** 4 significant digits, scientific only for very large or small magnitudes. */
    public static String number(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
