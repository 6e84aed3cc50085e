package io.lensboard.web.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.RunFeed;
import io.lensboard.web.common.LiveStreams;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.web.lens.LensLinks;
import io.lensboard.model.pool.ModelRef;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;

/** One run's live page, its result and its live feed, and what its buttons do: again, twin, cancel. */
@Path("/runs")
@Produces(MediaType.TEXT_HTML)
public class RunsPageResource {

    @Inject
    RunService service;

    @Inject
    RunFeed feed;

    @Inject
    LiveStreams streams;

    @Inject
    RunKinds kinds;

    @Inject
    RunViews views;

    @Inject
    ObjectMapper json;

    @Inject
    RunPanes panes;

    @GET
    @Path("/{id}")
    public String page(@PathParam("id") String id) {
        return panes.page(service.find(id));
    }

    @GET
    @Path("/{id}/result")
    public String resultFragment(@PathParam("id") String id) {
        return views.result(service.find(id));
    }

    /** The page's live feed: the run's events as fragments to swap and as data for the charts, history first. */
    @GET
    @Blocking
    @Path("/{id}/live")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> live(@PathParam("id") String id, @Context Sse sse) {
        RunPageStream page = new RunPageStream(sse, views, service, json, service.find(id));
        return streams.guard(() -> feed.follow(id, 0).concatMap(e -> Multi.createFrom().iterable(page.events(e))));
    }

    @POST
    @Path("/{id}/again")
    public Response again(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        JsonNode params = kinds.nextSeed(r).orElseThrow(() -> new InvalidInputException("a " + r.kind() + " run has no seed to change"));
        return redirect(service.submit(r.kind(), r.model(), params));
    }

    /** Runs the same parameters on the twin (trained ↔ untrained) and opens both runs side by side. */
    @POST
    @Path("/{id}/twin")
    public Response twin(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        RunRecord twin = service.submit(r.kind(), ModelRef.twin(r.model()), r.params());
        return Response.seeOther(RunComparePageResource.link(r.id(), twin.id())).build();
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
