package io.lensboard.web.lens;

import io.lensboard.analysis.LensResult;
import io.lensboard.lens.LensListener;
import io.lensboard.lens.LensService;
import io.lensboard.lens.SavedAnalysis;
import io.lensboard.lens.TunedLenses;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.EventStream;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
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
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

/**
 * The lens page and its htmx fragments: the table (complete when the result is cached, else a skeleton),
 * its rows as HTML over server-sent events, and one cell's detail. Every page works from its URL alone. A page is
 * also a short link, {@code /lens/{id}}, to its stored analysis (the prompt form posts here and is sent there), and
 * its fragment and stream URLs name that id, never the prompt: {@code /lens/{id}/table}, {@code /rows}, {@code /cell}.
 */
@Path("/lens")
@Produces(MediaType.TEXT_HTML)
public class LensPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance lens(List<ModelInfo> models, String model, String prompt, LensMetric[] metrics,
                                            String error, LensSelection p, String pane, boolean twin, List<String> decoders,
                                            String tuned);
    }

    @CheckedTemplate(basePath = "fragments", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    static class Fragments {
        static native TemplateInstance lensPane(LensSelection p, String pane, boolean complete,
                                                List<LensView.Head> heads, List<LensView.Row> rows);

        static native TemplateInstance lensHead(List<LensView.Head> heads);

        static native TemplateInstance lensRow(LensView.Row row, String pane);

        static native TemplateInstance lensCell(LensCell cell);

        static native TemplateInstance lensStatus$loading(String model);

        static native TemplateInstance lensStatus$decoded();

        static native TemplateInstance lensStatus$failed(String error);

        static native TemplateInstance lensStatus$done();
    }

    @Inject
    ModelListing listing;

    @Inject
    LensService lens;

    @Inject
    ShortLinks links;

    @Inject
    TunedLenses tunedLenses;

    @GET
    public Response page(@BeanParam LensParams params) {
        return respond(params, () -> links.lens(params), false);
    }

    /** The prompt form's post (a prompt of any length): stores the analysis and answers 303 to its short link. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response post(@FormParam("model") String model, @FormParam("prompt") String prompt, @FormParam("metric") String metric,
                         @FormParam("topk") @DefaultValue("5") String topk, @FormParam("sub") @DefaultValue("0") String sub,
                         @FormParam("dtype") String dtype, @FormParam("decoder") String decoder) {
        LensParams params = new LensParams(model, prompt, metric, topk, sub, dtype, decoder);
        return respond(params, () -> links.lens(params), true);
    }

    /** A short link: exactly the page its query string shows, read from the database (so it outlives a restart). */
    @GET
    @Path("{id}")
    public Response savedPage(@BeanParam SavedParams params) {
        SavedAnalysis a = links.get(params.id(), SavedAnalysis.Kind.LENS);
        LensParams lensParams = params.lens(a, 0, true);
        return respond(lensParams, () -> checked(lensParams.selection(a.id())), false);
    }

    private Response respond(LensParams params, Supplier<LensSelection> select, boolean redirect) {
        try {
            LensSelection p = select.get();
            if (redirect && p.links().id() != null) {
                return Response.seeOther(URI.create("/lens/" + p.links().id())).build();
            }
            return Response.ok(page(params, null, p).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status()).entity(page(params, ApiErrors.withoutPaths(error.error()), null).render()).build();
        }
    }

    private LensSelection checked(LensSelection p) {
        lens.check(p.key());
        return p;
    }

    /** A fragment's selection from a short link: the stored model and prompt, the view its URL says. */
    private LensSelection saved(SavedParams params) {
        SavedAnalysis a = links.get(params.id(), SavedAnalysis.Kind.LENS);
        return checked(params.lens(a, 0, false).selection(a.id()));
    }

    private TemplateInstance page(LensParams params, String error, LensSelection p) {
        List<String> decoders = p == null ? List.of() : decoders(p);
        // "logit vs tuned" compares with the page's tuned lens, or with the first lens that fits the model
        String tuned = p == null ? null : p.key().lensId() != null ? p.key().decoder() : decoders.stream().skip(1).findFirst().orElse(null);
        return Templates.lens(listing.list(), params.model(), params.prompt(), LensMetric.values(), error, p,
                p == null ? null : pane(p, "main"), p != null && listing.loads(p.links().twin()), decoders, tuned);
    }

    /** The decoders the page offers: the logit lens, every local tuned lens that fits the model, and the page's own. */
    private List<String> decoders(LensSelection p) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        out.add(LensResult.LOGIT);
        tunedLenses.list().stream().filter(l -> l.models().contains(p.key().model())).forEach(l -> out.add(LensResult.TUNED + l.id()));
        out.add(p.key().decoder());
        return List.copyOf(out);
    }

    /** The lens table fragment: complete if the result is cached, else a skeleton that fills over SSE. */
    @GET
    @Path("table")
    public Response table(@BeanParam LensParams params, @QueryParam("pane") @DefaultValue("main") String pane) {
        return table(checked(params.selection()), pane);
    }

    @GET
    @Path("{id}/table")
    public Response savedTable(@BeanParam SavedParams params, @QueryParam("pane") @DefaultValue("main") String pane) {
        return table(saved(params), pane);
    }

    private Response table(LensSelection p, String pane) {
        return Response.ok(pane(p, pane)).header("HX-Push-Url", "main".equals(pane) ? p.links().page() : "false").build();
    }

    private String pane(LensSelection p, String pane) {
        return lens.cached(p.key())
                .map(r -> Fragments.lensPane(p, pane, true, LensView.heads(r.tokens()), LensView.rows(r, p.metric())))
                .orElseGet(() -> Fragments.lensPane(p, pane, false, List.of(), List.of()))
                .render();
    }

    /**
     * Events of HTML: status, head (column heads), one row per layer, error, and done last. The pages use the short
     * link's stream, whose failure event is named {@code failed}: a browser's EventSource takes an event named
     * {@code error} for its own connection error as well (htmx logs it as one). This one keeps {@code error} for
     * the clients it has.
     */
    @GET
    @Blocking
    @Path("rows")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> rows(@BeanParam LensParams params, @QueryParam("pane") @DefaultValue("main") String pane,
                                        @Context Sse sse) {
        return rows(checked(params.selection()), pane, "error", sse);
    }

    /**
     * The same events for a short link. Whatever fails, the unknown link or model included, is told in the stream
     * (failed, then done), so the page shows it and closes the stream rather than reconnecting for ever.
     */
    @GET
    @Blocking
    @Path("{id}/rows")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> savedRows(@BeanParam SavedParams params, @QueryParam("pane") @DefaultValue("main") String pane,
                                             @Context Sse sse) {
        LensSelection p;
        try {
            p = saved(params); // on this worker thread: the stream's body may start on an event loop
        } catch (RuntimeException e) {
            return EventStream.of(sse, events -> new HtmlRows(events, LensMetric.PROB, pane, "failed").failed(e));
        }
        return rows(p, pane, "failed", sse);
    }

    private Multi<OutboundSseEvent> rows(LensSelection p, String pane, String failedEvent, Sse sse) {
        return EventStream.of(sse, events -> {
            send(events, "status", Fragments.lensStatus$loading(p.key().model()));
            lens.stream(p.key(), new HtmlRows(events, p.metric(), pane, failedEvent));
        });
    }

    /** The stream's events, rendered from the lens fragments as the service reports progress. */
    private static final class HtmlRows implements LensListener {
        private final EventStream events;
        private final LensMetric metric;
        private final String pane;
        private final String failedEvent;
        private Input input; // set on the device thread before the first layer, read there

        HtmlRows(EventStream events, LensMetric metric, String pane, String failedEvent) {
            this.events = events;
            this.metric = metric;
            this.pane = pane;
            this.failedEvent = failedEvent;
        }

        @Override
        public void started(Input input) {
            this.input = input;
            send(events, "head", Fragments.lensHead(LensView.heads(input.tokens())));
        }

        @Override
        public void layer(LensResult.Layer layer) {
            send(events, "row", Fragments.lensRow(LensView.row(layer, input.tokens(), input.nLayers(), metric), pane));
        }

        @Override
        public void done(LensResult result) {
            finish(Fragments.lensStatus$decoded(), "status");
        }

        @Override
        public boolean closed() {
            return events.isClosed();
        }

        @Override
        public void failed(Throwable failure) {
            finish(Fragments.lensStatus$failed(ApiErrors.withoutPaths(ApiErrors.body(ApiErrors.unwrap(failure)).error())), failedEvent);
        }

        private void finish(TemplateInstance status, String event) {
            send(events, event, status);
            send(events, "done", Fragments.lensStatus$done());
            events.close();
        }
    }

    private static void send(EventStream events, String event, TemplateInstance fragment) {
        // One line per event: htmx joins multi-line data with newlines, and rows need none.
        events.send(event, fragment.render().strip().replaceAll("\\s*\\n\\s*", " "));
    }

    /** One cell's detail: its top-k tokens with probabilities and logits, its ranks, entropy and KLs. */
    @GET
    @Path("cell")
    public String cell(@BeanParam LensParams params, @QueryParam("layer") String layer, @QueryParam("pos") String pos) {
        return cell(checked(params.selection()), layer, pos);
    }

    @GET
    @Path("{id}/cell")
    public String savedCell(@BeanParam SavedParams params, @QueryParam("layer") String layer, @QueryParam("pos") String pos) {
        return cell(saved(params), layer, pos);
    }

    private String cell(LensSelection p, String layer, String pos) {
        return Fragments.lensCell(LensCell.of(lens.get(p.key()), p.key().sub(), layer, pos)).render();
    }

    /** A short link's lens as the JSON API gives it (the page's charts draw it): no prompt in the URL. */
    @GET
    @Path("{id}/json")
    @Produces(MediaType.APPLICATION_JSON)
    public LensResult savedJson(@BeanParam SavedParams params) {
        return lens.get(saved(params).key());
    }
}
