package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.runs.RunGrid;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.StudyService;
import io.lensboard.runs.StudyTable;
import io.lensboard.web.common.RefusedForm;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.lensboard.web.runs.RunForms;
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
 * Studies in the browser: a form that starts one, and a page per study whose rows (in the kind's own columns,
 * {@link StudyTable}) fill in over server-sent events as their runs finish (events {@code row-R} of HTML,
 * {@code status}, {@code data} for the chart, {@code done}).
 */
@Path("/studies")
@Produces(MediaType.TEXT_HTML)
public class StudiesPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance studies(List<RunGrid> studies, List<ModelInfo> models, List<String> kinds, RefusedForm refused);

        static native TemplateInstance study(RunGrid s, StudyTable table, List<String> rows, String chart, String status);
    }

    @CheckedTemplate(basePath = "fragments", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    static class Fragments {
        static native TemplateInstance studyRow(StudyTable.Row row);
    }

    @Inject
    StudyService service;

    @Inject
    GridStream stream;

    @Inject
    RunKinds kinds;

    @Inject
    RunForms forms;

    @Inject
    ModelListing listing;

    @Inject
    ObjectMapper json;

    @GET
    public String list() {
        return form(RefusedForm.NONE).render();
    }

    private TemplateInstance form(RefusedForm refused) {
        return Templates.studies(service.list(100), listing.choices(listing.textModels()), service.studyKinds(), refused);
    }

    /** The start form ({@link StudyForm}); a refused one comes back with every value as typed. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        try {
            RunGrid s = service.start(StudyForm.read(form, kinds, forms));
            return Response.seeOther(URI.create("/studies/" + s.id())).build();
        } catch (RuntimeException e) {
            RefusedForm refused = RefusedForm.of(e, form);
            return refused.respond(form(refused));
        }
    }

    @GET
    @Path("/{id}")
    public String page(@PathParam("id") String id) {
        RunGrid s = service.find(id);
        StudyTable table = service.table(s);
        List<RunRecord> runs = service.cells(s);
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < table.rows(); r++) {
            rows.add(render(table.row(r, runs)));
        }
        long finished = runs.stream().filter(r -> r.state().finished()).count();
        return Templates.study(s, table, rows, table.chartSpec(json), GridStream.status(finished, runs.size(), "runs")).render();
    }

    private static String render(StudyTable.Row row) {
        return Fragments.studyRow(row).render().strip();
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return Response.seeOther(URI.create("/studies/" + service.cancel(id).id())).build();
    }

    /**
     * Every cell as stored now, then each cell's state changes ({@link GridStream}): its row again and, once it is
     * finished, the status and the chart (a row summarises results; a cell's steps are its run page's business). The
     * chart events' ids count the finished cells, so a reconnect's replay is skipped by the chart.
     */
    @GET
    @Blocking
    @Path("/{id}/rows")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> rows(@PathParam("id") String id, @Context Sse sse) {
        RunGrid s = service.find(id);
        StudyTable table = service.table(s);
        return stream.of(s.runs(), sse, (cells, c) -> {
            if (!c.stored()) {
                return List.of();
            }
            StudyTable.Row row = table.row(table.rowOf(c.cell()), cells.runs());
            List<OutboundSseEvent> out = new ArrayList<>();
            out.add(sse.newEventBuilder().name("row-" + row.index()).data(render(row)).build());
            if (c.finished()) {
                out.add(GridStream.status(sse, cells, "runs"));
                out.add(sse.newEventBuilder().name("data").id(String.valueOf(cells.finishedCount()))
                        .data(json.createObjectNode().put("type", "criterion").set("data", table.chart(cells.runs(), json)).toString()).build());
            }
            return out;
        });
    }
}
