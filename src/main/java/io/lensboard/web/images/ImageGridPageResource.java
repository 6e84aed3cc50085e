package io.lensboard.web.images;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.Alignment;
import io.lensboard.runs.AlignmentService;
import io.lensboard.web.common.Params;
import io.lensboard.web.common.RefusedForm;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-up's feature-map figure in one request: 16 neurons (or 16 tokens) × the chosen blocks of one image model,
 * each tile an image-ascent run. It is an alignment table of kind image-ascent, so its page {@code /alignments/{id}} is
 * the permalink and its tiles fill in live.
 */
@Path("/images/grid")
@Produces(MediaType.TEXT_HTML)
public class ImageGridPageResource {
    private static final int TILES = 16;

    /** The figure's kind: a feature kind whose tiles show their pictures as they come. */
    private static final String KIND = "image-ascent";

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance imageGrid(List<String> models, RefusedForm refused);
    }

    @Inject
    AlignmentService alignments;

    @Inject
    ImageForms images;

    @GET
    public String form() {
        return Templates.imageGrid(images.models(), RefusedForm.NONE).render();
    }

    /** Starts the table: features [:, :, n..n+15] (neurons) or [:, t..t+15, :] (tokens), the form's ascent parameters. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        try {
            ObjectNode params = images.params(KIND, form);
            params.remove(List.of("layer", "feature")); // the table's own axes
            int first = whole("first", form.getFirst("first"));
            boolean tokens = "tokens".equals(form.getFirst("over"));
            List<String> features = new ArrayList<>();
            for (int i = first; i < first + TILES; i++) {
                features.add(tokens ? "[:, " + i + ", :]" : "[:, :, " + i + "]");
            }
            Alignment a = alignments.start(new AlignmentService.NewAlignment(KIND, List.of(ImageForms.model("model", form.getFirst("model"))),
                    Params.layers(form.getFirst("layers")), features, params));
            return Response.seeOther(URI.create("/alignments/" + a.id())).build();
        } catch (RuntimeException e) {
            RefusedForm refused = RefusedForm.of(e, form);
            return refused.respond(Templates.imageGrid(images.models(), refused));
        }
    }

    private static int whole(String name, String value) {
        try {
            int n = Integer.parseInt(value == null ? "0" : value.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(name + " must be a whole number from 0, got '" + value + "'");
        }
    }
}
