package io.lensboard.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** URLs of lens pages and fragments, query values encoded. */
public record LensLinks(String model, String prompt, String metric, int topk, boolean sub) {

    public String query() {
        return "model=" + enc(model) + "&prompt=" + enc(prompt) + "&metric=" + enc(metric) + "&topk=" + topk + (sub ? "&sub=1" : "");
    }

    public String page() {
        return "/lens?" + query();
    }

    public String table(String pane) {
        return "/lens/table?" + query() + "&pane=" + enc(pane);
    }

    public String rows(String pane) {
        return "/lens/rows?" + query() + "&pane=" + enc(pane);
    }

    public String cell() {
        return "/lens/cell?" + query();
    }

    public String json() {
        return "/api/lens?model=" + enc(model) + "&prompt=" + enc(prompt) + "&topk=" + topk + (sub ? "&sub=1" : "");
    }

    public String csv() {
        return "/api/lens/csv?model=" + enc(model) + "&prompt=" + enc(prompt) + "&topk=" + topk + (sub ? "&sub=1" : "");
    }

    /** The side-by-side page against another model, the untrained twin by default. */
    public String compare(String other) {
        return "/compare?a=" + enc(model) + "&b=" + enc(other) + "&prompt=" + enc(prompt) + "&metric=" + enc(metric) + "&topk=" + topk;
    }

    public String twin() {
        return model.contains(":untrained") ? model.replaceFirst(":untrained(:\\d+)?$", "") : model + ":untrained";
    }

    static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
