package io.lensboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.Alignment;
import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Alignment tables in the browser: a form that starts one, and a page per table whose cells fill in over
 * server-sent events as their runs progress and finish (events {@code cell-R-C} of HTML, {@code status}, {@code done}).
 */
@Path("/alignments")
@Produces(MediaType.TEXT_HTML)
public class AlignmentsPageResource {

    @Inject
    Template alignments;

    @Inject
    Template alignment;

    @Location("fragments/alignment-cell.html")
    Template cellFragment;

    @Inject
    AlignmentService service;

    @Inject
    ModelListing listing;

    @Inject
    ObjectMapper json;

    @Inject
    Vertx vertx;

    public record Row(String model, int layer, List<String> cells) {}

    @GET
    public String list() {
        return form(null);
    }

    private String form(String error) {
        return alignments.data("tables", service.runs().store().alignments(100)).data("models", listing.list())
                .data("kinds", List.of("greedy", "exhaustive", "ascent", "softmax-prior")).data("error", error).render();
    }

    /** The start form: models (several), layers and features as lists; redirects to the table's page. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(@FormParam("kind") String kind, @FormParam("models") List<String> models,
                          @FormParam("layers") String layers, @FormParam("features") String features,
                          @FormParam("tokens") String tokens, @FormParam("topk") String topk) {
        try {
            ObjectNode params = json.createObjectNode();
            if (!"exhaustive".equals(kind)) {
                RunsPageResource.putNumber(params, "tokens", tokens);
            }
            if (!"greedy".equals(kind)) {
                RunsPageResource.putNumber(params, "topk", topk);
            }
            Alignment a = service.start(new AlignmentService.NewAlignment(kind, models, layers(layers), features(features), params));
            return Response.seeOther(URI.create("/alignments/" + a.id())).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
            return Response.status(error.status()).entity(form(error.error())).build();
        }
    }

    private static List<Integer> layers(String text) {
        List<Integer> out = new ArrayList<>();
        for (String s : (text == null ? "" : text).split("[,\\s]+")) {
            if (!s.isBlank()) {
                try {
                    out.add(Integer.parseInt(s));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("layers: '" + s + "' is not a block number; write them like 1, 4, 8, 12");
                }
            }
        }
        return out;
    }

    /** One slice per line, or several on a line separated by ';'. */
    private static List<String> features(String text) {
        return Arrays.stream((text == null ? "" : text).split("[;\\n]")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @GET
    @Path("/{id}")
    public String page(@PathParam("id") String id) {
        Alignment a = service.find(id);
        List<Row> rows = new ArrayList<>();
        int finished = 0;
        for (int r = 0; r < a.rows(); r++) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < a.features().size(); c++) {
                RunRecord run = service.cell(a, r, c);
                finished += run.state().finished() ? 1 : 0;
                cells.add(render(AlignmentView.of(r, c, run)));
            }
            rows.add(new Row(a.model(r), a.layer(r), cells));
        }
        int total = a.rows() * a.features().size();
        return alignment.data("a", a).data("rows", rows).data("finished", finished == total)
                .data("status", status(finished, total)).render();
    }

    private String render(AlignmentView.Cell c) {
        return cellFragment.data("c", c).render().strip();
    }

    private static String status(int finished, int total) {
        return finished + " of " + total + " cells finished";
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return Response.seeOther(URI.create("/alignments/" + service.cancel(id).id())).build();
    }

    @GET
    @Blocking
    @Path("/{id}/cells")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> cells(@PathParam("id") String id, @Context Sse sse) {
        Alignment a = service.find(id);
        return EventStream.of(sse, events -> new TableFollower(a, events).start());
    }

    /**
     * Follows every unfinished cell's run on the event bus. A cell is re-rendered from the store on its
     * state and done events (the store is written before an event is published), and from the event itself
     * on progress, with no store read: steps come many per second. Each run's events are handled in order,
     * off the event loop.
     */
    private final class TableFollower {
        private final Alignment a;
        private final EventStream events;
        private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
        private final boolean[] finished;
        private final RunRecord[] runs;   // each cell's run as last read from the store (its params never change)
        private int finishedCount;

        TableFollower(Alignment a, EventStream events) {
            this.a = a;
            this.events = events;
            this.finished = new boolean[a.rows() * a.features().size()];
            this.runs = new RunRecord[finished.length];
        }

        void start() {
            events.onClose(this::stop);
            int columns = a.features().size();
            for (int i = 0; i < finished.length; i++) {
                int r = i / columns;
                int c = i % columns;
                consumers.add(vertx.eventBus().consumer(RunService.address(a.runs().get(r).get(c)),
                        m -> vertx.executeBlocking(() -> {
                            onEvent(r, c, m.body());
                            return null;
                        })));
            }
            for (int i = 0; i < finished.length; i++) {
                refresh(i / columns, i % columns);
            }
        }

        private void onEvent(int r, int c, JsonObject e) {
            String type = e.getString("type");
            if (type.equals("state") || type.equals("done")) {
                refresh(r, c);
            } else {
                send(r, c, AlignmentView.progress(r, c, runs[r * a.features().size() + c], type, read(e.getString("data"))));
            }
        }

        private synchronized void refresh(int r, int c) {
            RunRecord run = service.cell(a, r, c);
            int i = r * a.features().size() + c;
            runs[i] = run;
            send(r, c, AlignmentView.of(r, c, run));
            if (run.state().finished() && !finished[i]) {
                finished[i] = true;
                finishedCount++;
                events.send("status", status(finishedCount, finished.length));
                if (finishedCount == finished.length) {
                    events.send("done", ""); // replaces the cancel button
                    events.close();
                }
            }
        }

        private synchronized void send(int r, int c, AlignmentView.Cell cell) {
            if (!finished[r * a.features().size() + c]) {
                events.send("cell-" + cell.key(), render(cell).replaceAll("\\s*\\n\\s*", " "));
            }
        }

        private JsonNode read(String data) {
            try {
                return json.readTree(data);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private synchronized void stop() {
            consumers.forEach(MessageConsumer::unregister);
            consumers.clear();
        }
    }
}
