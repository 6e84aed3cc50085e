package io.lensboard.web.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.LensboardConfig;
import io.lensboard.model.pool.ModelRef;
import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.RunFeed;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.runs.RunState;
import io.lensboard.web.common.RefusedForm;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The runs pages: the list with a start form per kind, and one live page per run. */
@Path("/runs")
@Produces(MediaType.TEXT_HTML)
public class RunsPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance runs(List<RunGroup> groups, boolean live, List<ModelInfo> models, List<RunForms.Form> forms,
                                            String error, RunListParams filter, List<String> kinds, List<String> states);

        static native TemplateInstance runs$list(List<RunGroup> groups, boolean live, RunListParams filter);

        static native TemplateInstance run(RunRecord run, String title, String state, List<Param> params, boolean again,
                                           String live, String result);

    }

    /** A run in the list: what it is about and its result in its kind's words, and its table if a table holds it. */
    public record RunRow(RunRecord run, String subject, String result, String table) {}

    /** A run on its own ({@code table} null), or an alignment table's cells listed together under the table. */
    public record RunGroup(String table, List<RunRow> rows) {
        public boolean live() {
            return rows.stream().anyMatch(r -> !r.run().state().finished());
        }
    }

    /** A stored parameter as the run page lists it. */
    public record Param(String name, String value) {}

    @Inject
    RunService service;

    @Inject
    RunKinds kinds;

    @Inject
    RunFeed feed;

    @Inject
    RunViews views;

    @Inject
    RunForms forms;

    @Inject
    AlignmentService alignments;

    @Inject
    ModelListing listing;

    @Inject
    ObjectMapper json;

    @Inject
    LensboardConfig config;

    @GET
    public String list(@BeanParam RunListParams filter) {
        return page(filter, forms.forms(), null).render();
    }

    private TemplateInstance page(RunListParams filter, List<RunForms.Form> shown, String error) {
        List<RunGroup> groups = groups(filter);
        return Templates.runs(groups, live(groups), listing.list(), shown, error, filter, kinds.all().stream().map(RunKind::name).toList(),
                Arrays.stream(RunState.values()).map(RunState::key).toList());
    }

    /** The run list alone; it polls itself every 2 s while a run is unfinished, so states change in place. */
    @GET
    @Path("/list")
    public String runList(@BeanParam RunListParams filter) {
        List<RunGroup> groups = groups(filter);
        return Templates.runs$list(groups, live(groups), filter).render();
    }

    /** The newest runs; a table's cells together, where its newest cell stands. */
    private List<RunGroup> groups(RunListParams filter) {
        Map<String, String> tables = new HashMap<>();
        alignments.list(100).forEach(a -> a.runs().forEach(row -> row.forEach(run -> tables.put(run, a.id()))));
        Map<String, RunGroup> byTable = new LinkedHashMap<>();
        List<RunGroup> groups = new ArrayList<>();
        for (RunRecord r : service.list(200, filter.filter(kinds))) {
            RunRow row = new RunRow(r, kinds.subject(r), r.result() == null ? null : views.cell(r), tables.get(r.id()));
            if (row.table() == null) {
                groups.add(new RunGroup(null, List.of(row)));
            } else {
                byTable.computeIfAbsent(row.table(), t -> {
                    RunGroup g = new RunGroup(t, new ArrayList<>());
                    groups.add(g);
                    return g;
                }).rows().add(row);
            }
        }
        return groups;
    }

    private static boolean live(List<RunGroup> groups) {
        return groups.stream().anyMatch(RunGroup::live);
    }

    /** A start form: create the run and go to its page, or show the form again with the message next to it. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        String kindName = form.getFirst("kind") == null || form.getFirst("kind").isBlank() ? config.runs().defaultKind() : form.getFirst("kind");
        try {
            RunKind<?> kind = kinds.get(kindName);
            return redirect(service.submit(kind.name(), form.getFirst("model"), forms.params(kind, form)));
        } catch (RuntimeException e) {
            RefusedForm refused = RefusedForm.of(e, form);
            boolean known = kinds.all().stream().anyMatch(k -> k.name().equals(kindName));
            return refused.respond(page(new RunListParams(null, null, null), forms.forms(kindName, refused), known ? null : refused.error()));
        }
    }

    @GET
    @Path("/{id}")
    public String page(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        List<Param> params = r.params().properties().stream()
                .map(e -> new Param(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString())).toList();
        return Templates.run(r, views.title(r), r.state().key(), params, r.params().has("seed"), views.live(r), views.result(r)).render();
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
        return feed.follow(id, 0).concatMap(e -> Multi.createFrom().iterable(page.events(e)));
    }

    @POST
    @Path("/{id}/again")
    public Response again(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        ObjectNode params = r.params().deepCopy();
        params.put("seed", params.path("seed").asLong() + 1);
        return redirect(service.submit(r.kind(), r.model(), params));
    }

    @POST
    @Path("/{id}/twin")
    public Response twin(@PathParam("id") String id) {
        RunRecord r = service.find(id);
        return redirect(service.submit(r.kind(), ModelRef.twin(r.model()), r.params()));
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
