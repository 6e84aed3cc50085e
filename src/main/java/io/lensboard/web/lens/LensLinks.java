package io.lensboard.web.lens;

import io.lensboard.analysis.Ablation;
import io.lensboard.analysis.LensResult;
import io.lensboard.model.pool.ModelRef;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * URLs of lens pages and fragments, query values encoded. With the {@code id} of the stored analysis (a short
 * link) the page's fragment, stream and chart URLs name the analysis and the view only, never the prompt, so a
 * prompt of any length fits in them; without one (storage unusable, or a dtype other than the model's default,
 * which short links do not store) they carry the whole query as they always did. {@code dtype} null: the default.
 */
public record LensLinks(String id, String model, String prompt, String metric, int topk, boolean sub, String dtype,
                        String decoder, Ablation ablation) {

    /** Through the logit lens, the model in its default dtype, nothing ablated. */
    public LensLinks(String id, String model, String prompt, String metric, int topk, boolean sub) {
        this(id, model, prompt, metric, topk, sub, null, LensResult.LOGIT, Ablation.NONE);
    }

    /** The same links, naming the stored analysis {@code id} (null: carrying the query). */
    public LensLinks withId(String id) {
        return new LensLinks(id, model, prompt, metric, topk, sub, dtype, decoder, ablation);
    }

    public String query() {
        return "model=" + enc(model) + dtypeParam() + "&prompt=" + enc(prompt) + "&metric=" + enc(metric) + "&topk=" + topk
                + (sub ? "&sub=1" : "") + decoderParam();
    }

    private String dtypeParam() {
        return dtype == null ? "" : "&dtype=" + enc(dtype);
    }

    /**
     * {@code &decoder=…} for a tuned lens, then the ablation's parameters; nothing for the plain logit lens, the default,
     * so its links are what they were.
     */
    private String decoderParam() {
        return (decoder.equals(LensResult.LOGIT) ? "" : "&decoder=" + enc(decoder)) + Ablations.param(ablation, "");
    }

    /** The view on a stored analysis; sub is always written, since a short link's own sub may differ. */
    private String view() {
        return "metric=" + enc(metric) + "&topk=" + topk + "&sub=" + (sub ? 1 : 0);
    }

    public String page() {
        return id == null ? "/lens?" + query() : "/lens/" + id + "?" + view();
    }

    /** Where the page's controls (metric, top-k, sub-block rows) ask for the table. */
    public String controls() {
        return id == null ? "/lens/table" : "/lens/" + id + "/table";
    }

    public String table(String pane) {
        return fragment("table") + "&pane=" + enc(pane);
    }

    public String rows(String pane) {
        return fragment("rows") + "&pane=" + enc(pane);
    }

    public String cell() {
        return fragment("cell");
    }

    private String fragment(String name) {
        return id == null ? "/lens/" + name + "?" + query() : "/lens/" + id + "/" + name + "?" + view();
    }

    public String json() {
        return "/api/lens?model=" + enc(model) + dtypeParam() + "&prompt=" + enc(prompt) + "&topk=" + topk + (sub ? "&sub=1" : "")
                + decoderParam();
    }

    /** The JSON the page's charts draw: the API's, by the stored analysis when there is one. */
    public String data() {
        return id == null ? json() : "/lens/" + id + "/json?" + view();
    }

    /** The JSON export: the API's lens as a file to save. */
    public String download() {
        return "/api/lens/json?model=" + enc(model) + dtypeParam() + "&prompt=" + enc(prompt) + "&topk=" + topk + (sub ? "&sub=1" : "")
                + decoderParam();
    }

    public String csv() {
        return "/api/lens/csv?model=" + enc(model) + dtypeParam() + "&prompt=" + enc(prompt) + "&topk=" + topk + (sub ? "&sub=1" : "")
                + decoderParam();
    }

    /** The attention patterns of the same model, dtype and prompt (issue 24). */
    public String attention() {
        return "/attention?model=" + enc(model) + dtypeParam() + "&prompt=" + enc(prompt);
    }

    /**
     * The compare page with this lens unablated (A) beside this one (B): the same model, dtype, prompt, decoder and view,
     * so every difference between the panes is the ablation's.
     */
    public String sideBySide() {
        String d = decoder.equals(LensResult.LOGIT) ? "" : "&da=" + enc(decoder) + "&db=" + enc(decoder);
        String dt = dtype == null ? "" : "&dtype_a=" + enc(dtype) + "&dtype_b=" + enc(dtype);
        return "/compare?a=" + enc(model) + "&b=" + enc(model) + dt + "&prompt=" + enc(prompt) + "&metric=" + enc(metric)
                + "&topk=" + topk + (sub ? "&sub=1" : "") + d + Ablations.param(ablation, "_b");
    }

    /** The same lens without its ablation. */
    public LensLinks unablated() {
        return new LensLinks(null, model, prompt, metric, topk, sub, dtype, decoder, Ablation.NONE);
    }

    /** The model's twin (trained ⇄ untrained), by ModelRef's rule. */
    public String twin() {
        return ModelRef.twin(model);
    }

    public static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
