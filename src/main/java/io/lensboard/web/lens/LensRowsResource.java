package io.lensboard.web.lens;

import io.lensboard.analysis.LensResult;
import io.lensboard.lens.LensListener;
import io.lensboard.lens.LensService;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.ErrorMessages;
import io.lensboard.web.common.EventStream;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/** The lens table's rows as HTML over server-sent events, by query string and by short link. */
@Path("/lens")
public class LensRowsResource {

    @Inject
    LensService lens;

    @Inject
    LensSelections selections;

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
        return rows(selections.checked(params), pane, "error", sse);
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
            p = selections.saved(params); // on this worker thread: the stream's body may start on an event loop
        } catch (RuntimeException e) {
            return EventStream.of(sse, events -> new HtmlRows(events, LensMetric.PROB, pane, "failed").failed(e));
        }
        return rows(p, pane, "failed", sse);
    }

    private Multi<OutboundSseEvent> rows(LensSelection p, String pane, String failedEvent, Sse sse) {
        return EventStream.of(sse, events -> {
            LensFragments.send(events, "status", LensFragments.lensStatus$loading(p.key().model()));
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
            LensFragments.send(events, "head", LensFragments.lensHead(LensView.heads(input.tokens())));
        }

        @Override
        public void layer(LensResult.Layer layer) {
            LensFragments.send(events, "row", LensFragments.lensRow(LensView.row(layer, input.tokens(), input.nLayers(), metric), pane));
        }

        @Override
        public void done(LensResult result) {
            finish(LensFragments.lensStatus$decoded(), "status");
        }

        @Override
        public boolean closed() {
            return events.isClosed();
        }

        @Override
        public void failed(Throwable failure) {
            finish(LensFragments.lensStatus$failed(ErrorMessages.withoutPaths(ApiErrors.body(failure).error())), failedEvent);
        }

        private void finish(TemplateInstance status, String event) {
            LensFragments.send(events, event, status);
            LensFragments.send(events, "done", LensFragments.lensStatus$done());
            events.close();
        }
    }
}
