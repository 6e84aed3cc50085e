package io.lensboard.web.lens;

import io.lensboard.lens.TunedLenses;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The tuned lenses on this machine, each with the local models it fits ({@code decoder=tuned:<id>} on the lens). */
@Path("/api/lenses")
public class LensesResource {

    @Inject
    TunedLenses lenses;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Tuned lenses: id, base_model, d_model, num_hidden_layers, bias, lens_type, the local models each fits")
    public List<TunedLenses.LensInfo> list() {
        return lenses.list();
    }
}
