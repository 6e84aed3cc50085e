package io.lensboard.web.lens;

import io.lensboard.lens.LensService;
import io.lensboard.lens.SavedAnalysis;
import io.lensboard.lens.ShortLinks;
import io.lensboard.lens.TunedLenses;
import io.lensboard.model.pool.ModelFacts;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.ErrorMessages;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

/**
 * The lens page. Every page works from its URL alone. A page is also a short link, {@code /lens/{id}}, to its stored
 * analysis (the prompt form posts here and is sent there), and its fragment and stream URLs name that id, never the
 * prompt ({@link LensTableResource}, {@link LensRowsResource}).
 */
@Path("/lens")
@Produces(MediaType.TEXT_HTML)
public class LensPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance lens(List<ModelInfo> models, String model, String prompt, LensMetric[] metrics,
                                            String error, LensSelection p, String pane, boolean twin, List<String> decoders,
                                            String tuned, boolean images, AblationForm ablation);
    }

    @Inject
    ModelListing listing;

    @Inject
    LensService lens;

    @Inject
    LensSelections selections;

    @Inject
    ShortLinks links;

    @Inject
    TunedLenses tunedLenses;

    @Inject
    ModelPool pool;

    @Inject
    ModelFacts facts;

    @GET
    public Response page(@BeanParam LensParams params) {
        return respond(params, () -> selections.opened(params), false);
    }

    /** The prompt form's post (a prompt of any length): stores the analysis and answers 303 to its short link. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response post(@FormParam("model") String model, @FormParam("prompt") String prompt, @FormParam("metric") String metric,
                         @FormParam("topk") @DefaultValue("5") String topk, @FormParam("sub") @DefaultValue("0") String sub,
                         @FormParam("dtype") String dtype, @FormParam("decoder") String decoder,
                         @FormParam("ablate") List<String> ablate, @FormParam("ablation") String ablation) {
        // the ablate control ticks one box per component: its values become the one comma-separated parameter
        LensParams params = new LensParams(model, prompt, metric, topk, sub, dtype, decoder, AblationForm.joined(ablate), ablation);
        return respond(params, () -> selections.opened(params), true);
    }

    /** A short link: exactly the page its query string shows, read from the database (so it outlives a restart). */
    @GET
    @Path("{id}")
    public Response savedPage(@BeanParam SavedParams params) {
        SavedAnalysis a = links.get(params.id(), SavedAnalysis.Kind.LENS);
        LensParams lensParams = params.lens(a, 0, true);
        return respond(lensParams, () -> selections.checked(lensParams).withId(a.id()), false);
    }

    private Response respond(LensParams params, Supplier<LensSelection> select, boolean redirect) {
        if (params.model() != null && listing.takesImages(params.model())) {
            // the lens decodes text: an image model's page would only fail in its stream; point to the images instead
            return Response.status(422).entity(page(params, null, null, true).render()).build();
        }
        try {
            LensSelection p = select.get();
            if (redirect && p.links().id() != null) {
                return Response.seeOther(URI.create("/lens/" + p.links().id())).build();
            }
            return Response.ok(page(params, null, p, false).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status()).entity(page(params, ErrorMessages.withoutPaths(error.error()), null, false).render()).build();
        }
    }

    private TemplateInstance page(LensParams params, String error, LensSelection p, boolean images) {
        List<String> decoders = p == null ? List.of() : tunedLenses.decoders(p.key().model(), p.key().decoder());
        // "logit vs tuned" compares with the page's tuned lens, or with the first lens that fits the model
        String tuned = p == null ? null : p.key().lensId() != null ? p.key().decoder() : decoders.stream().skip(1).findFirst().orElse(null);
        return Templates.lens(listing.list(), params.model(), params.prompt(), LensMetric.values(), error, p,
                p == null ? null : LensFragments.pane(p, "main", lens.cached(p.key())), p != null && listing.loads(p.links().twin()),
                decoders, tuned, images, p == null ? null : AblationForm.of(facts.config(pool.catalog().check(p.key().model())).orElse(null),
                        p.key().ablation()));
    }
}
