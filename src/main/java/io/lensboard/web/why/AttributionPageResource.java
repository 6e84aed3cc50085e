package io.lensboard.web.why;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.why.AttributionService;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.ErrorMessages;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The "why this token?" page a lens cell links to: a bar chart of every component's direct contribution per layer,
 * the numbers behind it, and exports. It works from its URL alone; a refused query shows its message above the form,
 * its values kept, with the error's status.
 */
@Path("/attribution")
@Produces(MediaType.TEXT_HTML)
public class AttributionPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance attribution(AttributionParams params, AttributionView view, String error);
    }

    @Inject
    AttributionService attribution;

    @Inject
    ObjectMapper json;

    @GET
    public Response page(@BeanParam AttributionParams params) {
        try {
            AttributionView view = AttributionView.of(attribution.get(params.query()), params, json);
            return Response.ok(Templates.attribution(params, view, null).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(e);
            return Response.status(error.status())
                    .entity(Templates.attribution(params, null, ErrorMessages.withoutPaths(error.error())).render()).build();
        }
    }
}
