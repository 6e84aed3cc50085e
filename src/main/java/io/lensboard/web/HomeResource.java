package io.lensboard.web;

import io.lensboard.lens.LensService;
import io.lensboard.lens.SavedAnalysis;
import io.lensboard.model.pool.ModelPool;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The home page: the model catalog with its load buttons (refreshed while a model loads), a prompt box, recent analyses. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class HomeResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance home(List<ModelInfo> models, boolean loading, List<LensLinks> recent);
    }

    @CheckedTemplate(basePath = "fragments")
    static class Fragments {
        static native TemplateInstance models(List<ModelInfo> models, boolean loading);
    }

    @Inject
    ModelPool pool;

    @Inject
    ModelListing listing;

    @Inject
    LensService lens;

    @Inject
    ShortLinks links;

    @GET
    public String home() {
        List<ModelInfo> models = listing.list();
        List<LensLinks> recent = lens.recent().stream()
                .map(q -> new LensLinks(links.save(SavedAnalysis.of(SavedAnalysis.Kind.LENS, List.of(q.model()), q.prompt(),
                        LensMetric.PROB.key, q.topk(), q.sub())), q.model(), q.prompt(), LensMetric.PROB.key, q.topk(), q.sub()))
                .toList(); // short links: a long prompt would not fit in a query-string link
        return Templates.home(models, anyLoading(models), recent).render();
    }

    @GET
    @Path("fragments/models")
    public String models() {
        List<ModelInfo> models = listing.list();
        return Fragments.models(models, anyLoading(models)).render();
    }

    @POST
    @Path("fragments/models/load")
    public String load(@FormParam("model") String model) {
        pool.load(model);
        return models();
    }

    private static boolean anyLoading(List<ModelInfo> models) {
        return models.stream().anyMatch(m -> m.state().equals("loading"));
    }
}
