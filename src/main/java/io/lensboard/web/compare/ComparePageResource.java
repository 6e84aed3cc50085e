package io.lensboard.web.compare;

import io.lensboard.lens.SavedAnalysis;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.ErrorMessages;
import io.lensboard.web.lens.LensMetric;
import io.lensboard.web.lens.LensSelection;
import io.lensboard.lens.ShortLinks;
import io.lensboard.web.lens.LensSelections;
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
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/**
 * Two models side by side on one prompt; each pane loads like the lens page's table. The compare form posts here
 * and is sent to the comparison's short link, {@code /compare/{id}}.
 */
@Path("/compare")
@Produces(MediaType.TEXT_HTML)
public class ComparePageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance compare(List<ModelInfo> models, String a, String b, String da, String db, String prompt,
                                               LensMetric[] metrics, String error, LensSelection pa, LensSelection pb);
    }

    @Inject
    ModelListing listing;

    @Inject
    ShortLinks links;

    @Inject
    LensSelections selections;

    @GET
    public Response page(@BeanParam CompareParams params) {
        if (params.isEmpty()) {
            return Response.ok(page(params, null, null, null).render()).build();
        }
        return respond(params, false);
    }

    /** The compare form's post (a prompt of any length): stores the comparison and answers 303 to its short link. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response post(@FormParam("a") String a, @FormParam("b") String b, @FormParam("prompt") String prompt,
                         @FormParam("metric") String metric, @FormParam("topk") @DefaultValue("5") String topk,
                         @FormParam("sub") @DefaultValue("0") String sub,
                         @FormParam("dtype_a") String dtypeA, @FormParam("dtype_b") String dtypeB,
                         @FormParam("da") String da, @FormParam("db") String db,
                         @FormParam("ablate_a") String ablateA, @FormParam("ablation_a") String ablationA,
                         @FormParam("ablate_b") String ablateB, @FormParam("ablation_b") String ablationB) {
        return respond(new CompareParams(a, b, prompt, metric, topk, sub, dtypeA, dtypeB, da, db, ablateA, ablationA, ablateB,
                ablationB), true);
    }

    /**
     * A comparison's short link, read from the database: the page its query string shows; {@code ?metric=} colours it
     * otherwise than it was stored ("Colour by" writes it into the URL, so a reload or a shared link keeps it).
     */
    @GET
    @Path("{id}")
    public Response saved(@PathParam("id") String id, @QueryParam("metric") String metric) {
        return respond(CompareParams.of(links.get(id, SavedAnalysis.Kind.COMPARE)).withMetric(metric), false);
    }

    /** Each side is a lens page's stored analysis, so the panes' fragment URLs carry no prompt. */
    private Response respond(CompareParams params, boolean redirect) {
        try {
            LensSelection pa = selections.opened(params.sideA());
            LensSelection pb = selections.opened(params.sideB());
            // a side without a short link (a dtype other than its default) cannot be stored: the page keeps its query
            boolean storable = pa.links().id() != null && pb.links().id() != null;
            String id = redirect && storable ? links.save(CompareParams.saved(pa, pb)) : null;
            if (id != null) {
                return Response.seeOther(URI.create("/compare/" + id)).build();
            }
            return Response.ok(page(params, null, pa, pb).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status()).entity(page(params, ErrorMessages.withoutPaths(error.error()), null, null).render()).build();
        }
    }

    private TemplateInstance page(CompareParams params, String error, LensSelection pa, LensSelection pb) {
        return Templates.compare(listing.list(), params.a(), params.b(), params.da(), params.db(), params.prompt(), LensMetric.values(),
                error, pa, pb);
    }
}
