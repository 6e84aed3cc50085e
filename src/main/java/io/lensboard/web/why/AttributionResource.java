package io.lensboard.web.why;

import io.lensboard.analysis.LogitAttribution;
import io.lensboard.why.AttributionService;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.LocalDate;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Direct logit attribution as JSON, and as CSV or JSON files to save. */
@Path("/api/attribution")
public class AttributionResource {

    @Inject
    AttributionService attribution;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Split the lens's logit (or logit difference) at one cell into every embedding's, head's, output bias's "
            + "and MLP's direct contribution through the final norm frozen at that residual; Σ contributions + bias = logit")
    public LogitAttribution.Result attribution(@BeanParam AttributionParams params) {
        return attribution.get(params.query());
    }

    @GET
    @Path("/csv")
    @Produces("text/csv")
    @Operation(summary = "The attribution as CSV: one line per component")
    public Response csv(@BeanParam AttributionParams params) {
        LogitAttribution.Result r = attribution(params);
        return download(AttributionCsv.of(r), AttributionCsv.fileName(r, "csv", LocalDate.now()));
    }

    @GET
    @Path("/json")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The attribution as GET /api/attribution gives it, as a file to save (Content-Disposition)")
    public Response json(@BeanParam AttributionParams params) {
        LogitAttribution.Result r = attribution(params);
        return download(r, AttributionCsv.fileName(r, "json", LocalDate.now()));
    }

    private static Response download(Object body, String fileName) {
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"" + fileName + "\"").build();
    }
}
