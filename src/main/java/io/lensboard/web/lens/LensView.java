package io.lensboard.web.lens;

import io.lensboard.analysis.LensResult;
import io.lensboard.web.common.Numbers;
import io.lensboard.web.common.TokenDisplay;
import java.util.ArrayList;
import java.util.List;

/** A lens result laid out for the heat-map table: rows of cells with display text and metric value. */
public final class LensView {
    private LensView() {}

    public record Head(int position, String token, long id) {}

    public record Cell(int position, String token, String value, double v, boolean nextToken, String title) {}

    public record Row(String key, String label, String hook, boolean output, List<Cell> cells) {}

    public static List<Head> heads(List<LensResult.Token> tokens) {
        List<Head> heads = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            heads.add(new Head(i, TokenDisplay.visible(tokens.get(i).text()), tokens.get(i).id()));
        }
        return heads;
    }

    public static Row row(LensResult.Layer layer, List<LensResult.Token> tokens, int nLayers, LensMetric metric) {
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < layer.positions().size(); i++) {
            LensResult.Position p = layer.positions().get(i);
            LensResult.TopToken top = p.top().get(0);
            double v = metric.of(p);
            boolean next = i + 1 < tokens.size() && top.id() == tokens.get(i + 1).id();
            // what the cell does not show: the hook, the top-1's probability (unless that is the value shown), the star
            String title = layer.hook() + ": top-1 '" + TokenDisplay.visible(top.text()) + "'"
                    + (metric == LensMetric.PROB ? "" : " p=" + Numbers.number(top.prob()))
                    + (next ? ", the true next token" : "");
            cells.add(new Cell(i, TokenDisplay.visible(top.text()), metric.format(v), v, next, title));
        }
        String key = layer.layer().toString().replace('.', '_');
        boolean output = layer.layer() instanceof Integer l && l == nLayers;
        String label = output ? layer.layer() + " (output)" : layer.layer().toString();
        return new Row(key, label, layer.hook(), output, cells);
    }

    /** Every row of a finished lens. */
    public static List<Row> rows(LensResult r, LensMetric metric) {
        int nLayers = nLayers(r);
        return r.layers().stream().map(l -> row(l, r.tokens(), nLayers, metric)).toList();
    }

    /** The model's block count: the last row is the output layer, after every block. */
    public static int nLayers(LensResult r) {
        return r.layers().get(r.layers().size() - 1).layer().intValue();
    }
}
