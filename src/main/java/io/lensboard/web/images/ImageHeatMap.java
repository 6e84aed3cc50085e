package io.lensboard.web.images;

import io.lensboard.images.ImageActivationsResult;
import io.lensboard.web.common.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One layer of an image's activations drawn as the patch grid: each patch token's residual-stream norm, shaded
 * from the layer's smallest patch norm (white) to its largest (dark red); CLS, which has no patch, beside it.
 */
public record ImageHeatMap(int layer, String hook, int grid, String cls, String low, String high, List<Cell> cells) {

    /** Token t (patch t - 1), its norm as text, the shade in 0..1 and whether the text must be white to be read. */
    public record Cell(int token, int patch, String value, String alpha, boolean dark) {}

    static List<ImageHeatMap> of(ImageActivationsResult a) {
        List<ImageHeatMap> maps = new ArrayList<>();
        for (ImageActivationsResult.Layer layer : a.layers()) {
            float[] norms = layer.norms();
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (int t = 1; t < norms.length; t++) {
                min = Math.min(min, norms[t]);
                max = Math.max(max, norms[t]);
            }
            List<Cell> cells = new ArrayList<>();
            for (int t = 1; t < norms.length; t++) {
                double shade = max > min ? (norms[t] - min) / (max - min) : 0;
                cells.add(new Cell(t, t - 1, Numbers.number(norms[t]), String.format(Locale.ROOT, "%.3f", shade), shade > 0.55));
            }
            maps.add(new ImageHeatMap(layer.layer(), layer.hook(), a.grid(), Numbers.number(norms[0]),
                    Numbers.number(min), Numbers.number(max), cells));
        }
        return maps;
    }
}
