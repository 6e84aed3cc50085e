package io.lensboard.web.why;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.analysis.AttentionPatterns;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.web.common.TokenDisplay;
import io.lensboard.web.lens.LensLinks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The attention page's model: the result and the prompt it came from, its tokens as the lens shows them, the focused position ({@code pos}, -1:
 * none), the links, and the data the page's script draws, as JSON safe inside a {@code <script>} element.
 */
public record AttentionView(AttentionPatterns.Result result, String prompt, List<String> tokens, int pos, String data) {

    /** {@code pos} empty: no focus; otherwise a position of the prompt, else a 400 naming the range. */
    public static AttentionView of(AttentionPatterns.Result r, String prompt, String pos, ObjectMapper json) {
        List<String> tokens = r.tokens().stream().map(t -> TokenDisplay.visible(t.text())).toList();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tokens", tokens);
        data.put("layers", r.layers());
        data.put("heads", r.heads());
        data.put("t", tokens.size());
        data.put("p", AttentionPatterns.flat(r));
        try {
            // "<" only occurs inside strings here, where \u003c means the same: no token can close the script element
            String text = json.writeValueAsString(data).replace("<", "\\u003c");
            return new AttentionView(r, prompt, tokens, position(pos, tokens.size()), text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int position(String pos, int t) {
        if (pos == null || pos.isBlank()) {
            return -1;
        }
        try {
            int p = Integer.parseInt(pos.trim());
            if (p >= 0 && p < t) {
                return p;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidInputException("pos must be a position between 0 and " + (t - 1) + ", got '" + pos + "'");
    }

    public List<Integer> layers() {
        return IntStream.range(0, result.layers()).boxed().toList();
    }

    public List<Integer> heads() {
        return IntStream.range(0, result.heads()).boxed().toList();
    }

    private String query() {
        return "model=" + LensLinks.enc(result.model()) + "&dtype=" + LensLinks.enc(result.dtype()) + "&prompt="
                + LensLinks.enc(prompt);
    }

    /** The page itself with the dtype it was computed in: the permalink. */
    public String page() {
        return "/attention?" + query() + (pos >= 0 ? "&pos=" + pos : "");
    }

    public String json() {
        return "/api/attention?" + query();
    }

    public String safetensors() {
        return "/api/attention.safetensors?" + query();
    }

    public String lens() {
        return "/lens?" + query();
    }
}
