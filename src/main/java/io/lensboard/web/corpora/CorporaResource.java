package io.lensboard.web.corpora;

import io.lensboard.corpora.Corpora;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Corpora for the training kinds: list them, upload one as a raw text body or as a multipart form, delete an upload. */
@Path("/api/corpora")
@Produces(MediaType.APPLICATION_JSON)
public class CorporaResource {

    @Inject
    Corpora corpora;

    @GET
    @Operation(summary = "Corpora: [{name, source (built-in, directory, uploaded), bytes}]")
    public List<Corpora.Corpus> list() {
        return corpora.list();
    }

    @POST
    @Consumes(MediaType.TEXT_PLAIN)
    @Operation(summary = "Upload a corpus: the UTF-8 text as the body, ?name=NAME; 201 with {name, source, bytes}")
    public Response upload(@QueryParam("name") String name, byte[] text) {
        return created(corpora.save(name, text == null ? new byte[0] : text));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload a corpus as a form: fields name (optional: the file's name) and file")
    public Response uploadForm(@RestForm String name, @RestForm FileUpload file) {
        return created(CorpusUploads.save(corpora, name, file));
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Delete an uploaded corpus (204), freeing its share of the quota; runs that trained on it keep their results")
    public Response delete(@PathParam("name") String name) {
        corpora.delete(name);
        return Response.noContent().build();
    }

    private static Response created(Corpora.Corpus c) {
        return Response.status(Response.Status.CREATED).entity(c).build();
    }
}
