package io.lensboard.web.runs;

import io.lensboard.runs.RunExports;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** A run's data for notebooks: its embeddings (safetensors) and its recorded steps (CSV). */
@Path("/api/runs/{id}")
public class RunExportsResource {

    @Inject
    RunExports exports;

    @GET
    @Blocking
    @Path("/embedding")
    @Produces("application/octet-stream")
    @Operation(summary = "The run's e, e_0 and e_final as safetensors (F32, or F64 for a float64 run); 404 if it has none")
    public Response embedding(@PathParam("id") String id) {
        return attachment(exports.embedding(id), "run-" + id + "-embedding.safetensors");
    }

    @GET
    @Blocking
    @Path("/trajectory.csv")
    @Produces("text/csv")
    @Operation(summary = "Every recorded step of the run, one CSV line each; 404 if it has none")
    public Response trajectory(@PathParam("id") String id) {
        return attachment(exports.trajectoryCsv(id), "run-" + id + "-trajectory.csv");
    }

    /** A download: the browser saves {@code body} as {@code filename} instead of showing it. */
    private static Response attachment(Object body, String filename) {
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"" + filename + "\"").build();
    }
}
