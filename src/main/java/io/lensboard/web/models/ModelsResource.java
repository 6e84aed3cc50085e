package io.lensboard.web.models;

import io.lensboard.model.pool.ModelPool;
import io.lensboard.web.common.Dtypes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    @Inject
    ModelPool pool;

    @Inject
    ModelListing listing;

    @GET
    @Operation(summary = "The model catalog: local models, their untrained twins, and models in the pool")
    public List<ModelInfo> list() {
        return listing.list();
    }

    @GET
    @Path("/status")
    @Operation(summary = "One model's state, loading progress, dtype and resident parameter bytes")
    public ModelInfo status(@Parameter(description = "model id, e.g. gpt2-tiny or hf:openai-community/gpt2:untrained")
                            @QueryParam("model") String model,
                            @Parameter(description = Dtypes.DESCRIPTION) @QueryParam("dtype") String dtype) {
        return listing.info(model, Dtypes.parse(dtype));
    }

    @POST
    @Path("/load")
    @Operation(summary = "Start loading a model (202); follow it with GET /api/models/status")
    public Response load(@QueryParam("model") String model,
                         @Parameter(description = Dtypes.DESCRIPTION) @QueryParam("dtype") String dtype) {
        pool.load(model, Dtypes.parse(dtype));
        return Response.accepted(listing.info(model, Dtypes.parse(dtype))).build();
    }

}
