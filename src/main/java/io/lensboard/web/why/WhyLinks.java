package io.lensboard.web.why;

import io.lensboard.analysis.LensResult;

/** Links from a lens cell to the views that explain it. */
public final class WhyLinks {
    /** Below Quarkus's 4096-byte request line (quarkus.http.limits.max-initial-line-length), GET and HTTP/1.1 included. */
    static final int MAX_LINK = 4000;

    private WhyLinks() {}

    /**
     * "why this token?": the attribution of {@code token}'s logit at the cell (row {@code layer}, position {@code pos}) of
     * the logit lens {@code r}; null for a row the attribution has no layer for (a sub-block row, l − 0.5) and for a
     * tuned lens's rows (its translators are not the residual stream's components); null too where the prompt makes the
     * link longer than a request line may be (the attribution page takes its query from the URL alone).
     */
    public static String attribution(LensResult r, Number layer, int pos, long token) {
        double l = layer.doubleValue();
        if (l != Math.rint(l) || !LensResult.LOGIT.equals(r.decoder())) {
            return null;
        }
        String link = "/attribution?model=" + AttributionParams.encode(r.model()) + "&dtype=" + AttributionParams.encode(r.dtype())
                + "&prompt=" + AttributionParams.encode(r.prompt()) + "&pos=" + pos + "&token=" + token + "&layer=" + (int) l;
        return link.length() <= MAX_LINK ? link : null;
    }
}
