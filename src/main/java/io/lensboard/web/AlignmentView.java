package io.lensboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.runs.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** An alignment cell as the table shows it: the decoded tokens of a finished run, else its state and progress. */
public final class AlignmentView {
    private AlignmentView() {}

    /** One token with the feature's value where the kind has one per token (exhaustive search). */
    public record Token(String text, String value) {}

    public record Cell(String key, String run, String state, boolean done, List<Token> tokens, String note, String progress) {}

    public static String key(int row, int column) {
        return row + "-" + column;
    }

    /** A cell from the stored run. */
    public static Cell of(int row, int column, RunRecord run) {
        String key = key(row, column);
        JsonNode r = run.result();
        if (r == null) {
            String note = run.error() != null ? run.error() : null;
            return new Cell(key, run.id(), run.state().key(), run.state().finished(), List.of(), note, null);
        }
        List<Token> tokens = new ArrayList<>();
        String note;
        if (r.has("top")) { // exhaustive: the best single tokens, each with its value
            r.get("top").forEach(t -> tokens.add(new Token(TokenDisplay.visible(t.get("text").asText()), number(t.get("value").asDouble()))));
            note = null;
        } else {
            r.get("tokens").forEach(t -> tokens.add(new Token(TokenDisplay.visible(t.asText()), null)));
            note = r.has("decoded_value")
                    ? "f = " + number(r.get("value").asDouble()) + ", decoded " + number(r.get("decoded_value").asDouble())
                    : "f = " + number(r.get("values").get(r.get("values").size() - 1).asDouble());
        }
        return new Cell(key, run.id(), run.state().key(), true, tokens, note, null);
    }

    /** A running cell from one of its progress events ({@code batch}, {@code step} or {@code token}). */
    public static Cell progress(int row, int column, RunRecord run, String type, JsonNode data) {
        String progress = switch (type) {
            case "batch" -> data.has("vocabulary")
                    ? percent(data.get("tokens_done").asDouble() / data.get("vocabulary").asDouble())
                    : percent(data.get("candidates_done").asDouble() / data.get("candidates_total").asDouble());
            case "step" -> "step " + data.get("step").asInt() + "/" + run.params().path("steps").asInt();
            default -> null;
        };
        List<Token> tokens = new ArrayList<>();
        if (data.has("tokens")) {
            data.get("tokens").forEach(t -> tokens.add(new Token(TokenDisplay.visible(t.asText()), null)));
        }
        return new Cell(key(row, column), run.id(), "running", false, tokens, null, progress);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
