package io.lensboard.web.runs;

import io.lensboard.runs.RunFiles;
import io.lensboard.runs.UnknownRunException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The files a run's result names (its final image as PNG, its pixel_values as safetensors). */
@Path("/api/files")
public class RunFilesResource {

    @Inject
    RunFiles files;

    @GET
    @Path("/{name}")
    @Operation(summary = "A file named by a run's result: image (PNG) or tensor (safetensors)")
    public Response get(@PathParam("name") String name) {
        byte[] bytes = files.read(name).orElseThrow(() -> new UnknownRunException(
                "no file '" + name + "': a run's result names its files (image, tensor)"));
        boolean png = name.endsWith(".png");
        Response.ResponseBuilder r = Response.ok(bytes, png ? "image/png" : "application/octet-stream")
                .header("Cache-Control", "max-age=86400"); // named by a hash of its bytes: it never changes
        return png ? r.build() : r.header("Content-Disposition", "attachment; filename=\"pixel_values-" + name + "\"").build();
    }
}
