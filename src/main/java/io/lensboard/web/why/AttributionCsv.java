package io.lensboard.web.why;

import io.lensboard.analysis.LogitAttribution;
import io.lensboard.analysis.TokenValue;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The attribution as CSV: one line per component (name, layer, head, contribution, then its promoted and suppressed
 * tokens as "text (id) value" joined by " | "), text fields quoted as RFC 4180 says; comment lines after the rows name
 * the model, dtype, cell, token, logit and bias (pandas reads it with {@code comment='#'}).
 */
final class AttributionCsv {
    private AttributionCsv() {}

    static String of(LogitAttribution.Result r) {
        StringBuilder csv = new StringBuilder("component,layer,head,contribution,promotes,suppresses\n");
        for (LogitAttribution.Component c : r.components()) {
            csv.append(c.name()).append(',').append(c.layer() == null ? "" : c.layer()).append(',')
                    .append(c.head() == null ? "" : c.head()).append(',').append(c.contribution()).append(',')
                    .append(text(tokens(c.promotes()))).append(',').append(text(tokens(c.suppresses()))).append('\n');
        }
        csv.append("# model: ").append(r.model()).append('\n').append("# dtype: ").append(r.dtype()).append('\n')
                .append("# pos: ").append(r.pos()).append('\n').append("# layer: ").append(r.layer()).append('\n')
                .append("# token: ").append(r.token().id()).append('\n');
        if (r.against() != null) {
            csv.append("# against: ").append(r.against().id()).append('\n');
        }
        csv.append("# logit: ").append(r.logit()).append('\n').append("# bias: ").append(r.bias()).append('\n');
        return csv.toString();
    }

    /** attribution-MODEL-posP-TOKENID-DAY.EXT, the model reduced to letters, digits, '.', '-' and '_'. */
    static String fileName(LogitAttribution.Result r, String extension, LocalDate day) {
        String model = r.model().replaceAll("[^A-Za-z0-9._-]+", "_");
        return "attribution-" + model.substring(0, Math.min(40, model.length())) + "-pos" + r.pos() + "-" + r.token().id()
                + (r.against() == null ? "" : "-vs-" + r.against().id()) + "-" + day + "." + extension;
    }

    private static String tokens(List<TokenValue> tokens) {
        return tokens.stream().map(t -> t.text() + " (" + t.id() + ") " + t.value()).collect(Collectors.joining(" | "));
    }

    private static String text(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
