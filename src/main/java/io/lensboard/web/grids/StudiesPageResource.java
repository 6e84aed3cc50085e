package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.RunGrid;
import io.lensboard.runs.RunGrids;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.StudyService;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.lensboard.web.runs.RunForms;
import io.lensboard.web.runs.RunFragments;
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
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Studies in the browser: a form that starts one, and a page per study whose rows fill in over server-sent events
 * as their runs finish (events {@code row-R} of HTML, {@code status}, {@code data} for the chart, {@code done}).
 */
@Path("/studies")
@Produces(MediaType.TEXT_HTML)
public class StudiesPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance studies(List<RunGrid> studies, List<ModelInfo> models, List<String> kinds, String error);

        static native TemplateInstance study(RunGrid s, List<String> rows, String chart, String status);
    }

    @CheckedTemplate(basePath = "fragments", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
    static class Fragments {
        static native TemplateInstance studyRow(StudyView.Row row);
    }

    /** The form's axis fields, read as lists; every other field is one of the kind's parameters. */
    private static final List<String> AXES = List.of("kind", "models", "blocks", "lm_head", "seeds");

    @Inject
    StudyService service;

    @Inject
    RunGrids grids;

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
        return form(null);
    }

    private String form(String error) {
        return Templates.studies(service.list(100), listing.list(), service.studyKinds(), error).render();
    }

    /** The start form: models (several), blocks and seeds as lists, LM head on and/or off, the runs' shared parameters. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        try {
            String kind = form.getFirst("kind");
            MultivaluedMap<String, String> shared = new MultivaluedHashMap<>(form);
            AXES.forEach(shared::remove);
            ObjectNode params = forms.params(kinds.get(kind), shared);
            RunGrid s = service.start(new StudyService.NewStudy(kind, form.get("models"), numbers("blocks", form.getFirst("blocks"), Integer::valueOf),
                    lmHead(form.get("lm_head")), numbers("seeds", form.getFirst("seeds"), Long::valueOf), params));
            return Response.seeOther(URI.create("/studies/" + s.id())).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
            return Response.status(error.status()).entity(form(error.error())).build();
        }
    }

    private static <T> List<T> numbers(String field, String text, Function<String, T> parse) {
        List<T> out = new ArrayList<>();
        for (String s : (text == null ? "" : text).split("[,\\s]+")) {
            if (!s.isBlank()) {
                try {
                    out.add(parse.apply(s));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(field + ": '" + s + "' is not a whole number; write them like 0, 1, 2");
                }
            }
        }
        return out;
    }

    private static List<Boolean> lmHead(List<String> checked) {
        return checked == null ? List.of() : checked.stream().map(Boolean::valueOf).toList();
    }

    @GET
    @Path("/{id}")
    public String page(@PathParam("id") String id) {
        RunGrid s = service.find(id);
        List<RunRecord> runs = service.cells(s);
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < StudyView.rows(s); r++) {
            rows.add(render(StudyView.row(s, r, runs)));
        }
        long finished = runs.stream().filter(r -> r.state().finished()).count();
        return Templates.study(s, rows, StudyView.chartSpec(s, json), status(finished, runs.size())).render();
    }

    private static String render(StudyView.Row row) {
        return Fragments.studyRow(row).render().strip();
    }

    private static String status(long finished, int total) {
        return finished + " of " + total + " runs finished";
    }

    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        return Response.seeOther(URI.create("/studies/" + service.cancel(id).id())).build();
    }

    /**
     * Every cell as stored now, then each unfinished cell's state changes ({@link RunGrids#follow}): its row again, the
     * status and the chart; {@code done} when all are finished. The chart events' ids count the finished cells, so
     * a reconnect's replay is skipped by the chart and only new results are drawn.
     */
    @GET
    @Blocking
    @Path("/{id}/rows")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> rows(@PathParam("id") String id, @Context Sse sse) {
        RunGrid s = service.find(id);
        StudyStream study = new StudyStream(s, service.cells(s), sse);
        return Multi.createBy().concatenating().streams(
                grids.follow(s.runs()).concatMap(e -> Multi.createFrom().iterable(study.events(e))),
                Multi.createFrom().item(() -> sse.newEventBuilder().name("done").data(RunFragments.finished()).build()));
    }

    /** The study as one viewer sees it; called in order, one event at a time, on a worker thread. */
    private final class StudyStream {
        private final RunGrid s;
        private final Sse sse;
        private final List<RunRecord> runs;   // each cell's run as last read from the store
        private final boolean[] finished;
        private int finishedCount;

        StudyStream(RunGrid s, List<RunRecord> runs, Sse sse) {
            this.s = s;
            this.sse = sse;
            this.runs = new ArrayList<>(runs);
            this.finished = new boolean[runs.size()];
        }

        /** Only state changes matter here (a row summarises results); a cell's steps are its run page's business. */
        List<OutboundSseEvent> events(RunGrids.CellEvent e) {
            String type = e.event() == null ? "state" : e.event().type();
            int i = e.cell();
            if (!(type.equals("state") || type.equals("done")) || finished[i]) {
                return List.of();
            }
            RunRecord run = grids.run(s.runs().get(i));
            runs.set(i, run);
            List<OutboundSseEvent> out = new ArrayList<>();
            StudyView.Row row = StudyView.row(s, StudyView.rowOf(s, i), runs);
            out.add(sse.newEventBuilder().name("row-" + row.index()).data(render(row)).build());
            if (run.state().finished()) {
                finished[i] = true;
                finishedCount++;
                out.add(sse.newEventBuilder().name("status").data(status(finishedCount, finished.length)).build());
                out.add(sse.newEventBuilder().name("data").id(String.valueOf(finishedCount))
                        .data(json.createObjectNode().put("type", "criterion").set("data", StudyView.chart(s, runs, json)).toString()).build());
            }
            return out;
        }
    }
}
