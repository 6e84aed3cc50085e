package io.lensboard.web.images;

import io.lensboard.images.BuiltinImages;
import io.lensboard.images.ImageActivationsResult;
import io.lensboard.images.ImageService;
import io.lensboard.images.ImageStore;
import io.lensboard.images.StoredImage;
import io.lensboard.storage.StorageUnavailableException;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.ErrorMessages;
import io.lensboard.web.models.ModelListing;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The image pages: built-in and uploaded images, an upload form and delete buttons; one image's activations as a
 * patch-grid heat map per layer.
 */
@Path("/images")
@Produces(MediaType.TEXT_HTML)
public class ImagesPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance images(List<String> builtins, List<ImageStore.Listed> uploads, ImageStore.Usage usage,
                                              String uploadsProblem,
                                              String error);

        static native TemplateInstance image(StoredImage image, String model, List<String> models, List<ImageHeatMap> maps,
                                             List<ImageActivationsResult.Prediction> predictions, String error);
    }

    @Inject
    ImageService images;

    @Inject
    ModelListing listing;

    /** How many uploads the images page lists, newest first; older ones are reached by their links. */
    static final int LISTED_UPLOADS = 48;

    @GET
    public String index() {
        return index(null);
    }

    /** The list page; with the image store unusable, the built-in images still, and why the uploads are missing. */
    private String index(String error) {
        try {
            return Templates.images(BuiltinImages.IDS, images.recent(LISTED_UPLOADS), images.usage(), null, error).render();
        } catch (StorageUnavailableException e) {
            return Templates.images(BuiltinImages.IDS, List.of(), null, e.getMessage(), error).render();
        }
    }

    /** The upload form: store the image and go to its page, or show the form again with the message. */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(@RestForm("file") FileUpload file, @Context HttpServerResponse response) {
        try {
            StoredImage image = images.upload(ImageUploads.read(file, images.limits()), ImageUploads.clientGone(response));
            return Response.seeOther(URI.create("/images/" + URLEncoder.encode(image.id(), StandardCharsets.UTF_8))).build();
        } catch (Exception e) {
            return refused(e);
        }
    }

    /** The delete button of the list and of an image's page: delete it, then back to the list (which shows it gone). */
    @POST
    @Path("/{id}/delete")
    public Response delete(@PathParam("id") String id) {
        try {
            images.delete(id);
            return Response.seeOther(URI.create("/images")).build();
        } catch (RuntimeException e) {
            return refused(e);
        }
    }

    private Response refused(Exception e) {
        ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
        return Response.status(error.status()).entity(index(error.error())).build();
    }

    @GET
    @Path("/{id}")
    public Response image(@PathParam("id") String id, @QueryParam("model") String model) {
        StoredImage image = images.get(id); // an unknown image is the site's 404 page
        List<String> models = listing.imageModels();
        String chosen = model == null || model.isBlank() ? models.stream().filter(m -> !m.startsWith("hf:")).findFirst().orElse(null) : listing.canonical(model.trim());
        if (chosen == null) {
            return Response.ok(Templates.image(image, null, models, List.of(), List.of(), null).render()).build();
        }
        try {
            ImageActivationsResult a = images.activations(id, chosen);
            return Response.ok(Templates.image(image, chosen, models, ImageHeatMap.of(a), a.predictions(), null).render()).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
            return Response.status(error.status()).entity(Templates.image(image, chosen, models, List.of(), List.of(),
                    ErrorMessages.withoutPaths(error.error())).render()).build();
        }
    }
}
