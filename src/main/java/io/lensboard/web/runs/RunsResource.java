package io.lensboard.web.runs;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.NewRun;
import io.lensboard.runs.RunFeed;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.web.common.LiveStreams;
import io.lensboard.web.common.Params;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Long runs: start, inspect, list, cancel, and follow live over server-sent events. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunsResource {

    @Inject
    RunService runs;

    @Inject
    RunFeed feed;

    @Inject
    LiveStreams streams;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a run: {kind, model, dtype, params}; 201 with {id}")
    public Response create(NewRun request) {
        if (request == null) {
            throw new InvalidInputException("send a JSON body {\"kind\", \"model\", \"params\"}");
        }
        RunRecord run = runs.submit(request.kind(), request.model(), request.dtype(), request.params());
        return Response.created(URI.create("/api/runs/" + run.id())).entity(Map.of("id", run.id())).build();
    }

    @GET
    @Operation(summary = "Runs, newest first")
    public List<RunRecord> list(@QueryParam("limit") @DefaultValue("100") String limit) {
        return runs.list(Params.limit(limit));
    }


    @GET
    @Path("/{id}")
    @Operation(summary = "A run: state, parameters, timings and result")
    public RunRecord get(@PathParam("id") String id) {
        return runs.find(id);
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a queued or running run")
    public RunRecord cancel(@PathParam("id") String id) {
        return runs.cancel(id);
    }

    /**
     * Events {@code state}, {@code target}, {@code step} and {@code done}, each with its sequence number as
     * SSE id: first everything stored after Last-Event-ID (all of it for a new viewer), then live ones. 503 with
     * Retry-After when too many streams are open ({@link LiveStreams}).
     */
    @GET
    @Blocking
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Follow a run: replay, then live; honours Last-Event-ID")
    public Multi<OutboundSseEvent> events(@PathParam("id") String id,
                                          @HeaderParam("Last-Event-ID") @DefaultValue("0") String lastEventId,
                                          @Context Sse sse) {
        long after;
        try {
            after = Long.parseLong(lastEventId.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("Last-Event-ID must be a number");
        }
        return streams.guard(() -> feed.follow(id, after).map(e -> sse.newEventBuilder().id(String.valueOf(e.seq())).name(e.type())
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(e.data()).build()));
    }
}
