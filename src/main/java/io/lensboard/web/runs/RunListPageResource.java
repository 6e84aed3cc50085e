package io.lensboard.web.runs;

import io.lensboard.LensboardConfig;
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
import java.util.Arrays;
import java.util.List;

/** The runs list, newest first and filtered as its URL says, with a start form per kind. */
@Path("/runs")
@Produces(MediaType.TEXT_HTML)
public class RunListPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance runs(List<RunGroups.Group> groups, boolean live, List<ModelInfo> models, List<RunForms.Form> forms,
                                            String error, RunListParams filter, List<String> kinds, List<String> states);

        static native TemplateInstance runs$list(List<RunGroups.Group> groups, boolean live, RunListParams filter);
    }

    @Inject
    RunService service;

    @Inject
    RunKinds kinds;

    @Inject
    RunForms forms;

    @Inject
    RunGroups runGroups;

    @Inject
    ModelListing listing;

    @Inject
    LensboardConfig config;

    @GET
    public String list(@BeanParam RunListParams filter) {
        return page(filter, forms.forms(), null).render();
    }

    private TemplateInstance page(RunListParams filter, List<RunForms.Form> shown, String error) {
        List<RunGroups.Group> groups = runGroups.newest(filter);
        return Templates.runs(groups, RunGroups.live(groups), listing.list(), shown, error, filter, kinds.all().stream().map(RunKind::name).toList(),
                Arrays.stream(RunState.values()).map(RunState::key).toList());
    }

    /** The run list alone; it polls itself every 2 s while a run is unfinished, so states change in place. */
    @GET
    @Path("/list")
    public String runList(@BeanParam RunListParams filter) {
        List<RunGroups.Group> groups = runGroups.newest(filter);
        return Templates.runs$list(groups, RunGroups.live(groups), filter).render();
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
