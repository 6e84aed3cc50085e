package io.lensboard.web.models;

import io.lensboard.lens.LensQuery;
import io.lensboard.lens.ShortLinks;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import io.lensboard.runs.RunService;
import io.lensboard.storage.StorageUnavailableException;
import io.lensboard.runs.cluster.ReplicaInfo;
import io.lensboard.web.common.Dtypes;
import io.lensboard.web.lens.LensLinks;
import io.lensboard.web.lens.LensMetric;
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
        static native TemplateInstance home(List<ModelInfo> models, boolean loading, List<LensLinks> recent, String model,
                                            List<String> examples, List<ReplicaInfo> replicas);
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
    ShortLinks links;

    @Inject
    RunService runs;

    /** Prompts to start from: a fact, a story opening (the tiny stories models know these), a list, a repetition. */
    static final List<String> EXAMPLES = List.of("The capital of France is", "Once upon a time, there was a little girl named",
            "one, two, three, four,", "The cat sat on the mat. The cat sat on the");

    /** The model the prompt box starts with: one that answers fast and is trained, stories260K where it is listed. */
    static String defaultModel(List<ModelInfo> models) {
        return models.stream().map(ModelInfo::id).filter("stories260K"::equals).findFirst()
                .or(() -> models.stream().map(ModelInfo::id).filter(id -> !ModelRef.namesUntrained(id) && !id.startsWith("hf:")).findFirst())
                .orElse(models.isEmpty() ? "" : models.get(0).id());
    }

    @GET
    public String home() {
        List<ModelInfo> models = listing.list();
        List<LensLinks> recent = links.recent(LensMetric.PROB.key).stream().map(HomeResource::recentLink).toList();
        return Templates.home(models, anyLoading(models), recent, defaultModel(models), EXAMPLES, replicas()).render();
    }

    /**
     * A recent lens's link: its short link (a long prompt would not fit in a query string) where it is stored, else its
     * query string, with the dtype where it has one (stored analyses cannot hold it).
     */
    private static LensLinks recentLink(ShortLinks.Recent r) {
        LensQuery q = r.query();
        String dtype = r.id() == null && q.dtype() != null ? q.dtype().id : null;
        return new LensLinks(r.id(), q.model(), q.prompt(), LensMetric.PROB.key, q.topk(), q.sub(), dtype, q.decoder(), q.ablation());
    }

    /** The replicas, shown when there is more than one; none when the shared database cannot be read just now. */
    private List<ReplicaInfo> replicas() {
        try {
            return runs.replicas();
        } catch (StorageUnavailableException e) {
            return List.of();
        }
    }

    @GET
    @Path("fragments/models")
    public String models() {
        List<ModelInfo> models = listing.list();
        return Fragments.models(models, anyLoading(models)).render();
    }

    @POST
    @Path("fragments/models/load")
    public String load(@FormParam("model") String model, @FormParam("dtype") String dtype) {
        pool.load(model, Dtypes.parse(dtype));
        return models();
    }

    private static boolean anyLoading(List<ModelInfo> models) {
        return models.stream().anyMatch(m -> m.state().equals("loading"));
    }
}
