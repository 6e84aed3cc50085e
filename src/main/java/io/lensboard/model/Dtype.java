package io.lensboard.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The precision a model's weights are held in. Arithmetic is float32 whatever the dtype: half-precision
 * matrices are widened to float32 block by block as the forward pass reaches them (see {@link Param}), and
 * norms, softmax, KL and optimisation state are float32 throughout.
 */
public enum Dtype {
    FLOAT32("float32", 4), BFLOAT16("bfloat16", 2), FLOAT16("float16", 2);

    /** The name the API, the pages and the catalog use. */
    public final String id;
    /** Bytes per parameter as held. */
    public final int bytes;

    Dtype(String id, int bytes) {
        this.id = id;
        this.bytes = bytes;
    }

    /** {@code float32}, {@code bfloat16} or {@code float16}; anything else is refused with the allowed names. */
    public static Dtype parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.id.equals(n)).findFirst()
                .orElseThrow(() -> new InvalidDtypeException("dtype '" + name + "' is not one of " + allowed()));
    }

    /** "float32, bfloat16, float16" */
    public static String allowed() {
        return Arrays.stream(values()).map(d -> d.id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * A dtype that is not one of the three. It is part of naming a model, so it is answered with 400 wherever a
     * bad model id is (the web layer maps {@link InvalidModelIdException}).
     */
    public static final class InvalidDtypeException extends InvalidModelIdException {
        public InvalidDtypeException(String message) {
            super(message);
        }
    }
}
