package io.lensboard.web.common;

import io.lensboard.analysis.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/** Query and form values that several pages and API lists read the same way; a value that does not parse is a 400 naming it. */
public final class Params {
    private Params() {}

    /** A list's {@code limit}, clamped to 1..1000; text that is not a number is a 400, not JAX-RS's 404. */
    public static int limit(String text) {
        try {
            return (int) Math.max(1, Math.min(Long.parseLong(text.trim()), 1000));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit must be a whole number (1..1000), got '" + text + "'");
        }
    }

    /** Block numbers typed as a list: "1, 4, 8, 12" or "1 4 8 12". */
    public static List<Integer> layers(String text) {
        List<Integer> out = new ArrayList<>();
        for (String s : (text == null ? "" : text).split("[,\\s]+")) {
            if (!s.isBlank()) {
                try {
                    out.add(Integer.parseInt(s));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("layers: '" + s + "' is not a block number; write them like 1, 4, 8, 12");
                }
            }
        }
        return out;
    }
}
