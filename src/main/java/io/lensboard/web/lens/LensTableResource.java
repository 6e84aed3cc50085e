package io.lensboard.web.lens;

import io.lensboard.analysis.LensResult;
import io.lensboard.lens.LensService;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The lens page's htmx fragments by query string and by short link: the table (complete when the result is cached,
 * else a skeleton), one cell's detail, and the JSON the charts draw.
 */
@Path("/lens")
@Produces(MediaType.TEXT_HTML)
public class LensTableResource {

    @Inject
    LensService lens;

    @Inject
    LensSelections selections;

    /** The lens table fragment: complete if the result is cached, else a skeleton that fills over SSE. */
    @GET
    @Path("table")
    public Response table(@BeanParam LensParams params, @QueryParam("pane") @DefaultValue("main") String pane) {
        return table(selections.checked(params), pane);
    }

    @GET
    @Path("{id}/table")
    public Response savedTable(@BeanParam SavedParams params, @QueryParam("pane") @DefaultValue("main") String pane) {
        return table(selections.saved(params), pane);
    }

    private Response table(LensSelection p, String pane) {
        return Response.ok(LensFragments.pane(p, pane, lens.cached(p.key())))
                .header("HX-Push-Url", "main".equals(pane) ? p.links().page() : "false").build();
    }

    /** One cell's detail: its top-k tokens with probabilities and logits, its ranks, entropy and KLs. */
    @GET
    @Path("cell")
    public String cell(@BeanParam LensParams params, @QueryParam("layer") String layer, @QueryParam("pos") String pos) {
        return cell(selections.checked(params), layer, pos);
    }

    @GET
    @Path("{id}/cell")
    public String savedCell(@BeanParam SavedParams params, @QueryParam("layer") String layer, @QueryParam("pos") String pos) {
        return cell(selections.saved(params), layer, pos);
    }

    private String cell(LensSelection p, String layer, String pos) {
        return LensFragments.lensCell(LensCell.of(lens.get(p.key()), p.key().sub(), layer, pos)).render();
    }

    /** A short link's lens as the JSON API gives it (the page's charts draw it): no prompt in the URL. */
    @GET
    @Path("{id}/json")
    @Produces(MediaType.APPLICATION_JSON)
    public LensResult savedJson(@BeanParam SavedParams params) {
        return lens.get(selections.saved(params).key());
    }
}
