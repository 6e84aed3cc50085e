package io.lensboard.web.lens;

import io.lensboard.analysis.LensResult;
import java.time.LocalDate;

/**
 * The lens as CSV: one line per layer and position, text fields quoted as RFC 4180 says. The first fifteen columns
 * came first and stay first (scripts read them by position, and by name: top1_* there is the top token); then every
 * top-k token's id, text, prob and logit as k1_*..kK_*, named apart from the fixed top1_* so a reader by name never
 * meets a column twice. Comment lines after the rows name the model, the dtype its weights were held in and, for a
 * tuned lens, the decoder (after, so the header stays the first line; pandas reads it with {@code comment='#'}).
 */
final class LensCsv {
    private LensCsv() {}

    static String of(LensResult r) {
        int k = r.layers().get(0).positions().get(0).top().size();
        StringBuilder csv = new StringBuilder("layer,hook,position,input_id,input_text,top1_id,top1_text,top1_prob,top1_logit,"
                + "entropy,kl_final,kl_input,rank_final_top1,rank_next_token,rank_input_token");
        for (int j = 1; j <= k; j++) {
            csv.append(",k").append(j).append("_id,k").append(j).append("_text,k").append(j).append("_prob,k")
                    .append(j).append("_logit");
        }
        csv.append('\n');
        for (LensResult.Layer layer : r.layers()) {
            for (int i = 0; i < layer.positions().size(); i++) {
                LensResult.Position p = layer.positions().get(i);
                LensResult.TopToken top = p.top().get(0);
                csv.append(layer.layer()).append(',').append(layer.hook()).append(',').append(i).append(',')
                        .append(r.tokens().get(i).id()).append(',').append(text(r.tokens().get(i).text())).append(',')
                        .append(top.id()).append(',').append(text(top.text())).append(',').append(top.prob()).append(',')
                        .append(top.logit()).append(',').append(p.entropy()).append(',').append(p.klFinal()).append(',')
                        .append(p.klInput()).append(',').append(p.rankFinalTop1()).append(',')
                        .append(p.rankNextToken() == null ? "" : p.rankNextToken()).append(',').append(p.rankInputToken());
                for (LensResult.TopToken t : p.top()) {
                    csv.append(',').append(t.id()).append(',').append(text(t.text())).append(',').append(t.prob()).append(',')
                            .append(t.logit());
                }
                csv.append('\n');
            }
        }
        csv.append("# model: ").append(r.model()).append('\n').append("# dtype: ").append(r.dtype()).append('\n');
        if (!r.decoder().equals(LensResult.LOGIT)) {
            csv.append("# decoder: ").append(r.decoder()).append('\n');
        }
        if (r.ablation() != null) {
            csv.append("# ablation: ").append(r.ablation().mode()).append(' ').append(r.ablation().ablate()).append('\n');
        }
        return csv.toString();
    }

    /**
     * An export's file name: model, the prompt's first three words and the day, each reduced to letters, digits,
     * '.', '-' and '_', e.g. {@code lens-gpt2-tiny-The_sky_is-2026-11-30.csv}; a tuned lens's decoding names its lens
     * after the model ({@code lens-gpt2-tiny-tuned_gpt2-tiny-The_sky_is-2026-11-30.csv}), an ablated one its mode
     * ({@code lens-gpt2-tiny-mean-ablated-The_sky_is-2026-11-30.csv}).
     */
    static String fileName(LensResult r, String extension, LocalDate day) {
        String[] words = r.prompt().strip().split("\\s+", 4);
        String start = String.join("_", java.util.Arrays.copyOf(words, Math.min(3, words.length)));
        String decoder = r.decoder().equals(LensResult.LOGIT) ? "" : safe(r.decoder(), 50) + "-";
        String ablated = r.ablation() == null ? "" : r.ablation().mode() + "-ablated-";
        return "lens-" + safe(r.model(), 40) + "-" + decoder + ablated + safe(start, 30) + "-" + day + "." + extension;
    }

    private static String safe(String s, int max) {
        String out = s.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^_+|_+$", "");
        return out.isEmpty() ? "prompt" : out.substring(0, Math.min(max, out.length()));
    }

    /** Every text field quoted, quotes doubled. */
    private static String text(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
