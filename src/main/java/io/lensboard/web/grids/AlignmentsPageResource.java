package io.lensboard.web.grids;

import io.lensboard.runs.Alignment;
import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.web.common.RefusedForm;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.lensboard.web.runs.RunForms;
import io.lensboard.web.runs.RunViews;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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
import java.util.List;

/**
 * Alignment tables in the browser: a form that starts one, and a page per table whose cells fill in over
 * server-sent events as their runs progress and finish (events {@code cell-R-C} of HTML, {@code status}, {@code done};
 * the cells' events come from {@link GridStream}, as a study's do).
 */
@Path("/alignments")
@Produces(MediaType.TEXT_HTML)
public class AlignmentsPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance alignments(List<Alignment> tables, List<ModelInfo> models, List<String> kinds, String error);

        static native TemplateInstance alignment(Alignment a, String legend, List<AlignmentView.Row> rows, boolean finished, String status);
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
    GridStream stream;

    @Inject
    RunViews views;

    @Inject
    RunForms forms;

    @Inject
    ModelListing listing;

    @GET
    public String list() {
        return form(null);
    }

    /**
     * The form offers what it can run: the feature searches over token embeddings and the models that read text. Image
     * feature maps are tables too, started with their own fields at /images/grid (the page says so).
     */
    private String form(String error) {
        List<String> textKinds = kinds.featureKinds().stream().filter(k -> !k.takesImages()).map(RunKind::name).toList();
        return Templates.alignments(service.list(100), listing.choices(listing.textModels()), textKinds, error).render();
    }

    /** The start form ({@link AlignmentForm}); redirects to the table. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        try {
            Alignment a = service.start(AlignmentForm.read(form, kinds, forms));
            return Response.seeOther(URI.create("/alignments/" + a.id())).build();
        } catch (RuntimeException e) {
            RefusedForm refused = RefusedForm.of(e, form);
            return Response.status(refused.status()).entity(form(refused.error())).build();
        }
    }

    @GET
    @Path("/{id}")
    public String page(@PathParam("id") String id) {
        Alignment a = service.find(id);
        List<AlignmentView.Row> rows = new ArrayList<>();
        int finished = 0;
        for (int r = 0; r < a.rows(); r++) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < a.features().size(); c++) {
                RunRecord run = service.cell(a, r, c);
                finished += run.state().finished() ? 1 : 0;
                cells.add(render(AlignmentView.of(r, c, run, views)));
            }
            rows.add(new AlignmentView.Row(a.model(r), a.layer(r), cells));
        }
        int total = a.rows() * a.features().size();
        return Templates.alignment(a, views.legend(a.kind()), rows, finished == total, GridStream.status(finished, total, "cells")).render();
    }

    private static String render(AlignmentView.Cell c) {
        return Fragments.alignmentCell(c).render().strip();
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return Response.seeOther(URI.create("/alignments/" + service.cancel(id).id())).build();
    }

    /** Every cell as stored now, then each unfinished cell's changes ({@link GridStream}); {@code done} when all are finished. */
    @GET
    @Blocking
    @Path("/{id}/cells")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> cells(@PathParam("id") String id, @Context Sse sse) {
        Alignment a = service.find(id);
        int columns = a.features().size();
        return stream.of(a.runIds(), sse, (cells, c) -> {
            AlignmentView.Cell cell = AlignmentView.of(c.cell() / columns, c.cell() % columns, c, views);
            OutboundSseEvent shown = sse.newEventBuilder().name("cell-" + cell.key()).data(render(cell)).build();
            return c.finished() ? List.of(shown, GridStream.status(sse, cells, "cells")) : List.of(shown);
        });
    }
}
