package io.lensboard.web.runs;

import io.lensboard.LensboardConfig;
import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.StudyService;
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
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The runs list, newest first and filtered as its URL says, with a start form per kind. */
@Path("/runs")
@Produces(MediaType.TEXT_HTML)
public class RunListPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance runs(List<RunGroup> groups, boolean live, List<ModelInfo> models, List<RunForms.Form> forms,
                                            String error, RunListParams filter, List<String> kinds, List<String> states);

        static native TemplateInstance runs$list(List<RunGroup> groups, boolean live, RunListParams filter);
    }

    /** A run in the list: what it is about and its result in its kind's words, and the grid (table or study) holding it. */
    public record RunRow(RunRecord run, String subject, String result, Grid grid) {}

    /** What holds a run: an alignment table or a study ({@code what}), its id and page, and what it calls its runs. */
    public record Grid(String what, String id, String page, String parts) {}

    /** A run on its own ({@code grid} null), or an alignment table's or a study's cells listed together under it. */
    public record RunGroup(Grid grid, List<RunRow> rows) {
        public boolean live() {
            return rows.stream().anyMatch(r -> !r.run().state().finished());
        }
    }

    @Inject
    RunService service;

    @Inject
    RunKinds kinds;

    @Inject
    RunViews views;

    @Inject
    RunForms forms;

    @Inject
    AlignmentService alignments;

    @Inject
    StudyService studies;

    @Inject
    ModelListing listing;

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

    /** The newest runs; a table's or a study's cells together, where its newest cell stands. */
    private List<RunGroup> groups(RunListParams filter) {
        Map<String, Grid> grids = new HashMap<>();
        alignments.list(100).forEach(a -> {
            Grid g = new Grid("alignment table", a.id(), "/alignments/" + a.id(), "cells");
            a.runs().forEach(row -> row.forEach(run -> grids.put(run, g)));
        });
        studies.list(100).forEach(s -> {
            Grid g = new Grid(s.kind() + " study", s.id(), "/studies/" + s.id(), "runs");
            s.runs().forEach(run -> grids.put(run, g));
        });
        Map<Grid, RunGroup> byGrid = new LinkedHashMap<>();
        List<RunGroup> groups = new ArrayList<>();
        for (RunRecord r : service.list(200, filter.filter(kinds))) {
            RunRow row = new RunRow(r, kinds.subject(r), r.result() == null ? null : views.cell(r), grids.get(r.id()));
            if (row.grid() == null) {
                groups.add(new RunGroup(null, List.of(row)));
            } else {
                byGrid.computeIfAbsent(row.grid(), t -> {
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

    private static Response redirect(RunRecord r) {
        return Response.seeOther(URI.create("/runs/" + r.id())).build();
    }
}
