package io.lensboard.web;

import io.lensboard.analysis.LensResult;

/** The lens as CSV: one line per layer and position, text fields quoted as RFC 4180 says. */
final class LensCsv {
    private LensCsv() {}

    static String of(LensResult r) {
        StringBuilder csv = new StringBuilder("layer,hook,position,input_id,input_text,top1_id,top1_text,top1_prob,top1_logit,"
                + "entropy,kl_final,kl_input,rank_final_top1,rank_next_token,rank_input_token\n");
        for (LensResult.Layer layer : r.layers()) {
            for (int i = 0; i < layer.positions().size(); i++) {
                LensResult.Position p = layer.positions().get(i);
                LensResult.TopToken top = p.top().get(0);
                csv.append(layer.layer()).append(',').append(layer.hook()).append(',').append(i).append(',')
                        .append(r.tokens().get(i).id()).append(',').append(text(r.tokens().get(i).text())).append(',')
                        .append(top.id()).append(',').append(text(top.text())).append(',').append(top.prob()).append(',')
                        .append(top.logit()).append(',').append(p.entropy()).append(',').append(p.klFinal()).append(',')
                        .append(p.klInput()).append(',').append(p.rankFinalTop1()).append(',')
                        .append(p.rankNextToken() == null ? "" : p.rankNextToken()).append(',').append(p.rankInputToken()).append('\n');
            }
        }
        return csv.toString();
    }

    /** Every text field quoted, quotes doubled. */
    private static String text(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
