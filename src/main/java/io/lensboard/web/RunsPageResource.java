package io.lensboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.model.Hooks;
import io.lensboard.runs.ReconstructionKind;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** The runs pages: a list with a form to start a reconstruction, and one live page per run. */
@Path("/runs")
@Produces(MediaType.TEXT_HTML)
public class RunsPageResource {

    @Inject
    Template runs;

    @Inject
    Template run;

    @Location("fragments/run-result.html")
    Template runResult;

    @Location("fragments/feature-result.html")
    Template featureResult;

    @Location("fragments/run-list.html")
    Template runList;

    @Inject
    RunService service;

    @Inject
    ModelListing listing;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    @GET
    public String list() {
        return listPage(null).render();
    }

    /** The run list alone; it polls itself every 2 s while a run is unfinished, so states change in place. */
    @GET
    @Path("/list")
    public String runList() {
        List<RunRecord> all = service.store().list(200);
        return runList.data("runs", all).data("live", live(all)).render();
    }

    private io.quarkus.qute.TemplateInstance listPage(String error) {
        List<RunRecord> all = service.store().list(200);
        return runs.data("runs", all).data("live", live(all)).data("models", listing.list()).data("error", error);
    }

    private static boolean live(List<RunRecord> runs) {
        return runs.stream().anyMatch(r -> !r.state().finished());
    }

    /** The start forms: create a run and redirect to its page, or show the API's message next to the form. */
    @POST
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(@FormParam("kind") String kind, @FormParam("model") String model, @FormParam("prompt") String prompt,
                          @FormParam("blocks") String blocks, @FormParam("optimizer") String optimizer, @FormParam("lr") String lr,
                          @FormParam("steps") String steps, @FormParam("seed") String seed, @FormParam("layer") String layer,
                          @FormParam("feature") String feature, @FormParam("tokens") String tokens, @FormParam("topk") String topk) {
        try {
            String k = kind == null || kind.isBlank() ? ReconstructionKind.NAME : kind;
            ObjectNode params = json.createObjectNode();
            if (k.equals(ReconstructionKind.NAME)) {
                params.put("prompt", prompt == null ? "" : prompt);
                putNumber(params, "blocks", blocks);
                putNumber(params, "lr", lr);
                putNumber(params, "steps", steps);
                putNumber(params, "seed", seed);
                if (optimizer != null && !optimizer.isBlank()) {
                    params.put("optimizer", optimizer);
                }
            } else {
                putNumber(params, "layer", layer);
                params.put("feature", feature == null ? "" : feature);
                if (!k.equals("exhaustive")) {
                    putNumber(params, "tokens", tokens);
                }
                if (!k.equals("greedy")) {
                    putNumber(params, "topk", topk);
                }
                if (k.equals("ascent") || k.equals("softmax-prior")) {
                    putNumber(params, "steps", steps);
                }
            }
            return redirect(service.submit(k, model, params));
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
            return Response.status(error.status()).entity(listPage(error.error()).render()).build();
        }
    }

    static void putNumber(ObjectNode params, String name, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            params.put(name, new java.math.BigDecimal(value.trim()));
        } catch (NumberFormatException e) {
            throw new io.lensboard.analysis.InvalidInputException(name + " must be a number, got '" + value + "'");
        }
    }

    @GET
    @Path("/{id}")
    public String page(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        List<String[]> params = new ArrayList<>();
        r.params().properties().forEach(e -> params.add(new String[] {e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()}));
        String hook = r.params().has("layer") ? Hooks.residPost(r.params().get("layer").asInt() - 1) : null;
        return run.data("run", r).data("params", params).data("hook", hook).data("result", result(r)).render();
    }

    @GET
    @Path("/{id}/result")
    public String resultFragment(@PathParam("id") String id) {
        return result(service.find(id));
    }

    private String result(RunRecord r) {
        if (!r.kind().equals(ReconstructionKind.NAME)) {
            return featureResult.data("run", r).data("cells", r.result() == null ? List.of() : FeatureResultView.of(r.result())).render();
        }
        return runResult.data("run", r).data("rows", resultRows(r.result())).render();
    }

    /** Per position: target token, decoded token, whether they match, and the top-k decodings. */
    public record ResultRow(int position, String target, String decoded, boolean exact, List<String> topk) {}

    private static List<ResultRow> resultRows(JsonNode result) {
        List<ResultRow> rows = new ArrayList<>();
        if (result == null) {
            return rows;
        }
        for (int i = 0; i < result.get("ids").size(); i++) {
            List<String> topk = new ArrayList<>();
            result.get("topk_tokens").get(i).forEach(t -> topk.add(TokenDisplay.visible(t.asText())));
            rows.add(new ResultRow(i, TokenDisplay.visible(result.get("target_tokens").get(i).asText()),
                    TokenDisplay.visible(result.get("tokens").get(i).asText()),
                    result.get("ids").get(i).asLong() == result.get("target").get(i).asLong(), topk));
        }
        return rows;
    }

    @POST
    @Path("/{id}/again")
    public Response again(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        ObjectNode params = r.params().deepCopy();
        params.put("seed", params.path("seed").asLong() + 1);
        return redirect(service.submit(r.kind(), r.model(), params));
    }

    @POST
    @Path("/{id}/twin")
    public Response twin(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        return redirect(service.submit(r.kind(), new LensLinks(r.model(), "", "", 1, false).twin(), r.params()));
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return redirect(service.cancel(id));
    }

    private static Response redirect(RunRecord r) {
        return Response.seeOther(URI.create("/runs/" + r.id())).build();
    }
}
