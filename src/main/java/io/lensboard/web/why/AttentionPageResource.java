package io.lensboard.web.why;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.ErrorMessages;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import io.lensboard.why.AttentionQuery;
import io.lensboard.why.AttentionService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The attention page, {@code /attention?model&prompt[&dtype][&pos]}: every head of every layer as a small map, one
 * head large, and one token's row or column across all heads. A GET with every parameter, so its URL is its permalink;
 * a bad request shows the page again with the form, its values kept and the problem named, under its 4xx status.
 */
@Path("/attention")
@Produces(MediaType.TEXT_HTML)
public class AttentionPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance attention(List<ModelInfo> models, String model, String prompt, String dtype, String error,
                                                 AttentionView v);
    }

    @Inject
    AttentionService attention;

    @Inject
    ModelListing listing;

    @Inject
    ObjectMapper json;

    @GET
    public Response page(@BeanParam AttentionParams params, @QueryParam("pos") String pos) {
        if (params.model() == null && params.prompt() == null) {
            return Response.ok(Templates.attention(listing.list(), null, null, null, null, null).render()).build();
        }
        try {
            AttentionQuery query = params.query();
            AttentionView v = AttentionView.of(attention.patterns(query), query.prompt(), pos, json);
            return Response.ok(Templates.attention(listing.list(), params.model(), params.prompt(), params.dtype(), null, v)
                    .render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status()).entity(Templates.attention(listing.list(), params.model(), params.prompt(),
                    params.dtype(), ErrorMessages.withoutPaths(error.error()), null).render()).build();
        }
    }
}
