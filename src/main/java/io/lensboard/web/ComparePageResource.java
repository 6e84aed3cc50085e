package io.lensboard.web;

import io.lensboard.lens.LensService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Two models side by side on one prompt; each pane loads like the lens page's table. */
@Path("/compare")
@Produces(MediaType.TEXT_HTML)
public class ComparePageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance compare(List<ModelInfo> models, String a, String b, String prompt, LensMetric[] metrics,
                                               String error, LensSelection pa, LensSelection pb);
    }

    @Inject
    ModelListing listing;

    @Inject
    LensService lens;

    @GET
    public Response page(@BeanParam CompareParams params) {
        if (params.isEmpty()) {
            return Response.ok(page(params, null, null, null).render()).build();
        }
        try {
            LensSelection pa = params.side(params.a());
            LensSelection pb = params.side(params.b());
            lens.check(pa.key());
            lens.check(pb.key());
            return Response.ok(page(params, null, pa, pb).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status()).entity(page(params, error.error(), null, null).render()).build();
        }
    }

    private TemplateInstance page(CompareParams params, String error, LensSelection pa, LensSelection pb) {
        return Templates.compare(listing.list(), params.a(), params.b(), params.prompt(), LensMetric.values(), error, pa, pb);
    }
}
