package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.Alignment;
import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.RunGrids;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.Params;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.lensboard.web.runs.RunForms;
import io.lensboard.web.runs.RunFragments;
import io.lensboard.web.runs.RunViews;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
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
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Alignment tables in the browser: a form that starts one, and a page per table whose cells fill in over
 * server-sent events as their runs progress and finish (events {@code cell-R-C} of HTML, {@code status}, {@code done};
 * the cells' events come from {@link RunGrids#follow}, as a study's do).
 */
@Path("/alignments")
@Produces(MediaType.TEXT_HTML)
public class AlignmentsPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance alignments(List<Alignment> tables, List<ModelInfo> models, List<String> kinds, String error);

        static native TemplateInstance alignment(Alignment a, String legend, List<Row> rows, boolean finished, String status);
    }

    @CheckedTemplate(basePath = "fragments", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    static class Fragments {
        static native TemplateInstance alignmentCell(AlignmentView.Cell c);
    }

    @Inject
    AlignmentService service;

    @Inject
    RunKinds kinds;

    @Inject
    RunGrids grids;

    @Inject
    RunViews views;

    @Inject
    RunForms forms;

    @Inject
    ModelListing listing;


    public record Row(String model, int layer, List<String> cells) {}

    @GET
    public String list() {
        return form(null);
    }

    private String form(String error) {
        return Templates.alignments(service.list(100), listing.list(), kinds.featureKinds().stream().map(RunKind::name).toList(), error)
                .render();
    }

    /** The start form: models (several), layers and features as lists, the runs' shared parameters; redirects to the table. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        try {
            String kind = form.getFirst("kind");
            ObjectNode params = forms.params(kinds.get(kind), form);
            params.remove(List.of("layer", "feature")); // the table's own axes
            Alignment a = service.start(new AlignmentService.NewAlignment(kind, form.get("models"), Params.layers(form.getFirst("layers")),
                    features(form.getFirst("features")), params));
            return Response.seeOther(URI.create("/alignments/" + a.id())).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
            return Response.status(error.status()).entity(form(error.error())).build();
        }
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
                cells.add(render(AlignmentView.of(r, c, run, views)));
            }
            rows.add(new Row(a.model(r), a.layer(r), cells));
        }
        int total = a.rows() * a.features().size();
        return Templates.alignment(a, views.legend(a.kind()), rows, finished == total, status(finished, total)).render();
    }

    private static String render(AlignmentView.Cell c) {
        return Fragments.alignmentCell(c).render().strip();
    }

    private static String status(int finished, int total) {
        return finished + " of " + total + " cells finished";
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return Response.seeOther(URI.create("/alignments/" + service.cancel(id).id())).build();
    }

    /** Every cell as stored now, then each unfinished cell's events from its run's feed; {@code done} when all are finished. */
    @GET
    @Blocking
    @Path("/{id}/cells")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> cells(@PathParam("id") String id, @Context Sse sse) {
        Alignment a = service.find(id);
        TableStream table = new TableStream(a, sse);
        return Multi.createBy().concatenating().streams(
                grids.follow(a.runIds()).concatMap(e -> Multi.createFrom().iterable(table.events(e))),
                Multi.createFrom().item(() -> sse.newEventBuilder().name("done").data(RunFragments.finished()).build()));
    }

    /**
     * The table as one viewer sees it. A cell is re-rendered from the store on its state and done events (the store
     * is written before an event is published), and from the event itself on progress, with no store read: steps
     * come many per second. Called in order, one event at a time, on a worker thread.
     */
    private final class TableStream {
        private final Alignment a;
        private final Sse sse;
        private final boolean[] finished;
        private final RunRecord[] runs;   // each cell's run as last read from the store (its params never change)
        private final String[] snapshots; // each cell's latest image (an image run's events carry one every few steps)
        private int finishedCount;

        TableStream(Alignment a, Sse sse) {
            this.a = a;
            this.sse = sse;
            this.finished = new boolean[a.rows() * a.features().size()];
            this.runs = new RunRecord[finished.length];
            this.snapshots = new String[finished.length];
        }

        List<OutboundSseEvent> events(RunGrids.CellEvent e) {
            int i = e.cell();
            int row = i / a.features().size();
            int column = i % a.features().size();
            String type = e.event() == null ? "state" : e.event().type();
            if (type.equals("state") || type.equals("done")) {
                return refresh(row, column, i);
            }
            if (finished[i]) {
                return List.of();
            }
            com.fasterxml.jackson.databind.JsonNode data = e.event().json();
            if (data.hasNonNull("snapshot")) {
                snapshots[i] = data.get("snapshot").asText();
            }
            return List.of(cell(AlignmentView.progress(row, column, runs[i], data, snapshots[i])));
        }

        private List<OutboundSseEvent> refresh(int r, int c, int i) {
            RunRecord run = service.cell(a, r, c);
            runs[i] = run;
            List<OutboundSseEvent> out = new ArrayList<>();
            if (!finished[i]) {
                out.add(cell(AlignmentView.of(r, c, run, views)));
            }
            if (run.state().finished() && !finished[i]) {
                finished[i] = true;
                finishedCount++;
                out.add(sse.newEventBuilder().name("status").data(status(finishedCount, finished.length)).build());
            }
            return out;
        }

        private OutboundSseEvent cell(AlignmentView.Cell cell) {
            return sse.newEventBuilder().name("cell-" + cell.key()).data(render(cell)).build();
        }
    }
}
