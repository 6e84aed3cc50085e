package io.lensboard.web;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LensResult;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.pool.ModelPool;
import io.quarkus.qute.Location;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.List;

/**
 * The dashboard's pages and htmx fragments. Every page works from its URL alone; fragments render
 * server-side, and the lens table's rows arrive as HTML over server-sent events.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardResource {

    @Inject
    Template home;

    @Inject
    Template lens;

    @Inject
    Template compare;

    @Location("fragments/models.html")
    Template modelsFragment;

    @Location("fragments/lens-pane.html")
    Template lensPane;

    @Location("fragments/lens-head.html")
    Template lensHead;

    @Location("fragments/lens-row.html")
    Template lensRow;

    @Location("fragments/lens-cell.html")
    Template lensCell;

    @Inject
    ModelPool pool;

    @Inject
    ModelListing listing;

    @Inject
    LensCache cache;

    /** The parameters of a lens view, validated as the API validates them. */
    record LensParams(LensCache.Key key, LensMetric metric, LensLinks links) {
        static LensParams of(String model, String prompt, String metric, String topk, String sub) {
            LogitLens.Request r = LensResource.request(prompt, topk, sub);
            LensMetric m = LensMetric.parse(metric);
            return new LensParams(new LensCache.Key(model, r.prompt(), r.topk(), r.subBlocks()), m,
                    new LensLinks(model, r.prompt(), m.key, r.topk(), r.subBlocks()));
        }
    }

    @GET
    public String home() {
        List<ModelInfo> models = listing.list();
        return home.data("models", models).data("loading", anyLoading(models)).data("recent", cache.recent().stream()
                .map(k -> new LensLinks(k.model(), k.prompt(), "prob", k.topk(), k.sub())).toList()).render();
    }

    @GET
    @Path("fragments/models")
    public String models() {
        List<ModelInfo> models = listing.list();
        return modelsFragment.data("models", models).data("loading", anyLoading(models)).render();
    }

    private static boolean anyLoading(List<ModelInfo> models) {
        return models.stream().anyMatch(m -> m.state().equals("loading"));
    }

    @POST
    @Path("fragments/models/load")
    public String load(@FormParam("model") String model) {
        pool.load(model);
        return models();
    }

    @GET
    @Path("lens")
    public Response lensPage(@QueryParam("model") String model, @QueryParam("prompt") String prompt,
                             @QueryParam("metric") String metric, @QueryParam("topk") @DefaultValue("5") String topk,
                             @QueryParam("sub") @DefaultValue("0") String sub) {
        TemplateInstance page = lens.data("models", listing.list()).data("model", model).data("prompt", prompt)
                .data("metrics", LensMetric.values());
        try {
            LensParams p = LensParams.of(model, prompt, metric, topk, sub);
            pool.catalog().check(model);
            return Response.ok(page.data("error", null).data("p", p).data("pane", pane(p, "main")).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status()).entity(page.data("error", error.error()).data("p", null).data("pane", null).render()).build();
        }
    }

    /** The lens table fragment: complete if the result is cached, else a skeleton that fills over SSE. */
    @GET
    @Path("lens/table")
    public Response table(@QueryParam("model") String model, @QueryParam("prompt") String prompt,
                          @QueryParam("metric") String metric, @QueryParam("topk") @DefaultValue("5") String topk,
                          @QueryParam("sub") @DefaultValue("0") String sub, @QueryParam("pane") @DefaultValue("main") String pane) {
        LensParams p = LensParams.of(model, prompt, metric, topk, sub);
        pool.catalog().check(model);
        return Response.ok(pane(p, pane)).header("HX-Push-Url", "main".equals(pane) ? p.links().page() : "false").build();
    }

    private String pane(LensParams p, String pane) {
        var cached = cache.cached(p.key());
        var page = lensPane.data("p", p).data("pane", pane).data("complete", cached.isPresent());
        if (cached.isPresent()) {
            LensResult r = cached.get();
            int nLayers = nLayers(r);
            page.data("heads", LensView.heads(r.tokens()))
                    .data("rows", r.layers().stream().map(l -> LensView.row(l, r.tokens(), nLayers, p.metric())).toList());
        } else {
            page.data("heads", List.of()).data("rows", List.of());
        }
        return page.render();
    }

    /** Events of HTML: status, head (column heads), one row per layer, error, and done last. */
    @GET
    @Blocking
    @Path("lens/rows")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> rows(@QueryParam("model") String model, @QueryParam("prompt") String prompt,
                                        @QueryParam("metric") String metric, @QueryParam("topk") @DefaultValue("5") String topk,
                                        @QueryParam("sub") @DefaultValue("0") String sub,
                                        @QueryParam("pane") @DefaultValue("main") String pane, @Context Sse sse) {
        LensParams p = LensParams.of(model, prompt, metric, topk, sub);
        pool.catalog().check(model);
        return EventStream.of(sse, events -> {
            send(events, "status", "<span class=\"busy\">Loading " + html(model) + " and decoding…</span>");
            pool.load(model).thenAccept(m -> {
                long[] ids = LogitLens.tokenize(m, new LogitLens.Request(p.key().prompt(), p.key().topk(), p.key().sub()));
                List<LensResult.Token> tokens = LogitLens.tokens(m, ids);
                send(events, "head", lensHead.data("heads", LensView.heads(tokens)).render());
                cache.compute(p.key(), layer -> send(events, "row",
                        lensRow.data("row", LensView.row(layer, tokens, m.config().nLayers(), p.metric())).data("pane", pane).render()))
                        .whenComplete((r, failure) -> finish(events, failure));
            }).exceptionally(failure -> {
                finish(events, failure);
                return null;
            });
        });
    }

    /** One cell's detail: its top-k tokens with probabilities and logits, its ranks, entropy and KLs. */
    @GET
    @Path("lens/cell")
    public String cell(@QueryParam("model") String model, @QueryParam("prompt") String prompt,
                       @QueryParam("metric") String metric, @QueryParam("topk") @DefaultValue("5") String topk,
                       @QueryParam("sub") @DefaultValue("0") String sub,
                       @QueryParam("layer") String layerKey, @QueryParam("pos") String pos) {
        LensParams p = LensParams.of(model, prompt, metric, topk, sub);
        pool.catalog().check(model);
        LensResult r = cache.get(p.key());
        LensResult.Layer layer = r.layers().stream()
                .filter(l -> l.layer().toString().replace('.', '_').equals(layerKey)).findFirst()
                .orElseThrow(() -> new InvalidInputException("layer must be one of 0.." + nLayers(r)
                        + (p.key().sub() ? " or a half layer such as 0_5" : "") + ", got '" + layerKey + "'"));
        int i = position(pos, r.tokens().size());
        LensResult.Position at = layer.positions().get(i);
        return lensCell.data("layer", layer).data("pos", i).data("at", at)
                .data("input", TokenDisplay.visible(r.tokens().get(i).text()))
                .data("next", i + 1 < r.tokens().size() ? TokenDisplay.visible(r.tokens().get(i + 1).text()) : null)
                .data("top", at.top().stream().map(t -> new CellToken(TokenDisplay.visible(t.text()))).toList())
                .render();
    }

    /** A top-k token as the cell shows it. */
    public record CellToken(String token) {}

    private static int position(String pos, int n) {
        try {
            int i = Integer.parseInt(pos == null ? "" : pos.trim());
            if (i >= 0 && i < n) {
                return i;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidInputException("pos must be a position between 0 and " + (n - 1) + ", got '" + pos + "'");
    }

    /** Two models side by side on one prompt; each pane loads like the lens page's table. */
    @GET
    @Path("compare")
    public Response comparePage(@QueryParam("a") String a, @QueryParam("b") String b, @QueryParam("prompt") String prompt,
                                @QueryParam("metric") String metric, @QueryParam("topk") @DefaultValue("5") String topk,
                                @QueryParam("sub") @DefaultValue("0") String sub) {
        TemplateInstance page = compare.data("models", listing.list()).data("a", a).data("b", b).data("prompt", prompt)
                .data("metrics", LensMetric.values());
        if (a == null && b == null && prompt == null) {
            return Response.ok(page.data("error", null).data("pa", null).data("pb", null).render()).build();
        }
        try {
            LensParams pa = LensParams.of(a, prompt, metric, topk, sub);
            LensParams pb = LensParams.of(b, prompt, metric, topk, sub);
            pool.catalog().check(a);
            pool.catalog().check(b);
            return Response.ok(page.data("error", null).data("pa", pa).data("pb", pb).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status()).entity(page.data("error", error.error()).data("pa", null).data("pb", null).render()).build();
        }
    }

    private static void finish(EventStream events, Throwable failure) {
        if (failure != null) {
            send(events, "error", "<span class=\"error\" role=\"alert\">" + html(ApiErrors.body(ApiErrors.unwrap(failure)).error()) + "</span>");
        } else {
            send(events, "status", "<span class=\"ok\">All layers decoded.</span>");
        }
        send(events, "done", "done");
        events.close();
    }

    private static void send(EventStream events, String event, String html) {
        // One line per event: htmx joins multi-line data with newlines, and rows need none.
        events.send(event, html.replaceAll("\\s*\\n\\s*", " "));
    }

    /** The model's block count: the last row is the output layer, after every block. */
    private static int nLayers(LensResult r) {
        return r.layers().get(r.layers().size() - 1).layer().intValue();
    }

    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
