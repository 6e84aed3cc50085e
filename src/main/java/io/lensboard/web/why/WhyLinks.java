package io.lensboard.web.why;

import io.lensboard.analysis.LensResult;

/** Links from a lens cell to the views that explain it. */
public final class WhyLinks {
    private WhyLinks() {}

    /**
     * "why this token?": the attribution of {@code token}'s logit at the cell (row {@code layer}, position {@code pos}) of
     * the logit lens {@code r}; null for a row the attribution has no layer for (a sub-block row, l − 0.5) and for a
     * tuned lens's rows (its translators are not the residual stream's components).
     */
    public static String attribution(LensResult r, Number layer, int pos, long token) {
        double l = layer.doubleValue();
        if (l != Math.rint(l) || !LensResult.LOGIT.equals(r.decoder())) {
            return null;
        }
        return "/attribution?model=" + AttributionParams.encode(r.model()) + "&dtype=" + AttributionParams.encode(r.dtype())
                + "&prompt=" + AttributionParams.encode(r.prompt()) + "&pos=" + pos + "&token=" + token + "&layer=" + (int) l;
    }
}
