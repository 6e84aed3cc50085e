package io.lensboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
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
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Long runs: start, inspect, list, cancel, and follow live over server-sent events. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunsResource {

    /** What POST /api/runs takes. */
    public record NewRun(String kind, String model, JsonNode params) {}

    @Inject
    RunService runs;

    @Inject
    Vertx vertx;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a run: {kind, model, params}; 201 with {id}")
    public Response create(NewRun request) {
        if (request == null) {
            throw new io.lensboard.analysis.InvalidInputException("send a JSON body {\"kind\", \"model\", \"params\"}");
        }
        RunRecord run = runs.submit(request.kind(), request.model(), request.params());
        return Response.created(URI.create("/api/runs/" + run.id())).entity(Map.of("id", run.id())).build();
    }

    @GET
    @Operation(summary = "Runs, newest first")
    public List<RunRecord> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        return runs.store().list(Math.max(1, Math.min(limit, 1000)));
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
     * SSE id: first everything stored after Last-Event-ID (all of it for a new viewer), then live ones.
     */
    @GET
    @Blocking
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Follow a run: replay, then live; honours Last-Event-ID")
    public Multi<OutboundSseEvent> events(@PathParam("id") String id,
                                          @HeaderParam("Last-Event-ID") @DefaultValue("0") String lastEventId,
                                          @Context Sse sse) {
        RunRecord run = runs.find(id);
        long after;
        try {
            after = Long.parseLong(lastEventId.trim());
        } catch (NumberFormatException e) {
            throw new io.lensboard.analysis.InvalidInputException("Last-Event-ID must be a number");
        }
        return EventStream.of(sse, events -> new Follower(events, after).start(id, run.state().finished()));
    }

    /** Replays stored events, holding live ones back until the replay is sent, then forwards live ones in order. */
    private final class Follower {
        private final EventStream events;
        private final List<RunEvent> held = new ArrayList<>();
        private long lastSent;
        private boolean replaying = true;
        private MessageConsumer<JsonObject> consumer;

        Follower(EventStream events, long after) {
            this.events = events;
            this.lastSent = after;
        }

        void start(String id, boolean finished) {
            if (!finished) {
                consumer = vertx.eventBus().consumer(RunService.address(id), m -> live(new RunEvent(
                        m.body().getLong("seq"), m.body().getString("type"), m.body().getString("data"))));
                events.onClose(this::stop);
            }
            for (RunEvent e : runs.store().events(id, lastSent)) {
                send(e);
            }
            synchronized (this) {
                held.sort(Comparator.comparingLong(RunEvent::seq));
                held.forEach(this::send);
                held.clear();
                replaying = false;
            }
            if (finished) {
                events.close();
            }
        }

        private synchronized void live(RunEvent e) {
            if (replaying) {
                held.add(e);
            } else {
                send(e);
            }
        }

        private synchronized void send(RunEvent e) {
            if (e.seq() <= lastSent) {
                return;
            }
            lastSent = e.seq();
            events.sendJson(e.seq(), e.type(), e.data());
            if (e.type().equals("done")) {
                events.close();
            }
        }

        private synchronized void stop() {
            if (consumer != null) {
                consumer.unregister();
                consumer = null;
            }
        }
    }
}
