package io.lensboard.web.corpora;

import io.lensboard.corpora.Corpora;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The corpora page: the corpora there are, a form to upload one and buttons to delete uploads (then back to the list). */
@Path("/corpora")
@Produces(MediaType.TEXT_HTML)
public class CorporaPageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance corpora(List<Corpora.Corpus> corpora, Corpora.Usage usage, String error);
    }

    @Inject
    Corpora corpora;

    @GET
    public String page() {
        return page(null);
    }

    private String page(String error) {
        return Templates.corpora(corpora.list(), corpora.usage(), error).render();
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(@RestForm String name, @RestForm FileUpload file) {
        try {
            CorpusUploads.save(corpora, name, file);
            return Response.seeOther(URI.create("/corpora")).build();
        } catch (RuntimeException e) {
            return refused(e);
        }
    }

    @POST
    @Path("/{name}/delete")
    public Response delete(@PathParam("name") String name) {
        try {
            corpora.delete(name);
            return Response.seeOther(URI.create("/corpora")).build();
        } catch (RuntimeException e) {
            return refused(e);
        }
    }

    private Response refused(RuntimeException e) {
        ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
        return Response.status(error.status()).entity(page(error.error())).build();
    }
}
