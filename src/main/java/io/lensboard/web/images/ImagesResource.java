package io.lensboard.web.images;

import io.lensboard.images.ImageActivationsResult;
import io.lensboard.images.ImageService;
import io.lensboard.images.StoredImage;
import io.lensboard.web.models.ModelListing;
import jakarta.inject.Inject;
import io.lensboard.images.ImageStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Images: upload (PNG or JPEG), list, fetch, delete, and an image's activations in an image model (a ViT or a hybrid). */
@Path("/api/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImagesResource {

    @Inject
    ImageService images;

    @Inject
    ModelListing listing;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload an image as the multipart field 'file'; 201 with {id, width, height}")
    public Response uploadForm(@RestForm("file") FileUpload file, @Context HttpServerResponse response) throws IOException {
        return created(images.upload(ImageUploads.read(file, images.limits()), ImageUploads.clientGone(response)));
    }

    @POST
    @Consumes({"image/png", "image/jpeg", "image/*"})
    @Operation(summary = "Upload an image as the body (Content-Type image/png or image/jpeg); 201 with {id, width, height}")
    public Response uploadBody(byte[] body, @Context HttpServerResponse response) {
        return created(images.upload(body, ImageUploads.clientGone(response)));
    }

    private static Response created(StoredImage image) {
        return Response.created(URI.create("/api/images/" + image.id()))
                .entity(Map.of("id", image.id(), "width", image.width(), "height", image.height())).build();
    }

    @GET
    @Operation(summary = "The uploaded images, newest first: [{id, mediaType, width, height, bytes, createdAt}]")
    public List<ImageStore.Listed> list() {
        return images.list();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete an uploaded image (204), freeing its share of the quota; runs that used it keep their results")
    public Response delete(@PathParam("id") String id) {
        images.delete(id);
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}")
    @Produces({"image/png", "image/jpeg"})
    @Operation(summary = "The image as uploaded (or made, for builtin:… ids)")
    public Response get(@PathParam("id") String id) {
        StoredImage image = images.get(id);
        return Response.ok(image.data(), image.mediaType()).header("Cache-Control", "max-age=86400").build();
    }

    @GET
    @Path("/{id}/activations")
    @Operation(summary = "Per layer (0 = embeddings) and token (0 = CLS, t = patch t-1) the L2 norm of the residual stream")
    public ImageActivationsResult activations(@PathParam("id") String id, @QueryParam("model") String model) {
        return images.activations(id, listing.canonical(model));
    }

    @GET
    @Path("/{id}/activations.safetensors")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "pixel_values [1, C, H, W] and hidden_states [L+1, T, d], float32, as a safetensors file")
    public Response safetensors(@PathParam("id") String id, @QueryParam("model") String model) {
        String canonical = listing.canonical(model);
        byte[] file = images.safetensors(id, canonical);
        String name = ("activations-" + canonical + "-" + id).replaceAll("[^A-Za-z0-9._-]+", "_") + ".safetensors";
        return Response.ok(file, MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }
}
