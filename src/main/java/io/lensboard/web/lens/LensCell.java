package io.lensboard.web.lens;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LensResult;
import io.lensboard.web.common.TokenDisplay;
import io.lensboard.web.why.WhyLinks;
import java.util.List;

/**
 * One cell's detail as the cell fragment shows it: its layer, position, metrics and visible tokens, the link to the
 * attention page focused on its position, and per top token its "why this token?" link (null where the attribution
 * has no such cell).
 */
public record LensCell(LensResult.Layer layer, int pos, LensResult.Position at, String input, String next, List<String> top,
                       String attention, List<String> why) {

    /** The cell at {@code layerKey} (a row key such as 3 or 2_5) and {@code pos}; a bad key or position is a 400. */
    public static LensCell of(LensResult r, boolean sub, String layerKey, String pos) {
        LensResult.Layer layer = r.layers().stream()
                .filter(l -> l.layer().toString().replace('.', '_').equals(layerKey)).findFirst()
                .orElseThrow(() -> new InvalidInputException("layer must be one of 0.." + LensView.nLayers(r)
                        + (sub ? " or a half layer such as 0_5" : "") + ", got '" + layerKey + "'"));
        int i = position(pos, r.tokens().size());
        LensResult.Position at = layer.positions().get(i);
        return new LensCell(layer, i, at, TokenDisplay.visible(r.tokens().get(i).text()),
                i + 1 < r.tokens().size() ? TokenDisplay.visible(r.tokens().get(i + 1).text()) : null,
                at.top().stream().map(t -> TokenDisplay.visible(t.text())).toList(),
                "/attention?model=" + LensLinks.enc(r.model()) + "&dtype=" + LensLinks.enc(r.dtype()) + "&prompt="
                        + LensLinks.enc(r.prompt()) + "&pos=" + i,
                at.top().stream().map(t -> WhyLinks.attribution(r, layer.layer(), i, t.id())).toList());
    }

    private static int position(String pos, int n) {
        try {
            int i = Integer.parseInt(pos == null ? "" : pos.trim());
            if (i >= 0 && i < n) {
                return i;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidInputException("pos must be a position between 0 and " + (n - 1) + ", got '" + pos + "'");
    }
}
