package io.lensboard.web.grids;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.Alignment;
import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.RunRecord;
import io.lensboard.web.common.Params;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Alignment tables as JSON: start one (a batch of feature runs), read it with every cell's state and result, cancel it. */
@Path("/api/alignments")
@Produces(MediaType.APPLICATION_JSON)
public class AlignmentsResource {

    @Inject
    AlignmentService alignments;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a table: {kind, models, layers, features, params}; one run per (model, layer, feature); 201 with {id}")
    public Response create(AlignmentService.NewAlignment request) {
        if (request == null) {
            throw new InvalidInputException("send a JSON body {\"kind\", \"models\", \"layers\", \"features\", \"params\"}");
        }
        Alignment a = alignments.start(request);
        return Response.created(URI.create("/api/alignments/" + a.id())).entity(Map.of("id", a.id(), "page", "/alignments/" + a.id())).build();
    }

    @GET
    @Operation(summary = "Alignment tables, newest first")
    public List<Alignment> list(@QueryParam("limit") @DefaultValue("100") String limit) {
        return alignments.list(Params.limit(limit));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A table: one row per (model, layer), each cell its run's id, state and result")
    public Map<String, Object> get(@PathParam("id") String id) {
        Alignment a = alignments.find(id);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int r = 0; r < a.rows(); r++) {
            List<Map<String, Object>> cells = new ArrayList<>();
            for (int c = 0; c < a.features().size(); c++) {
                RunRecord run = alignments.cell(a, r, c);
                Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("feature", a.features().get(c));
                cell.put("run", run.id());
                cell.put("state", run.state());
                cell.put("error", run.error());
                cell.put("result", run.result());
                cells.add(cell);
            }
            rows.add(Map.of("model", a.model(r), "layer", a.layer(r), "cells", cells));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", a.id());
        out.put("kind", a.kind());
        out.put("models", a.models());
        out.put("layers", a.layers());
        out.put("features", a.features());
        out.put("params", a.params());
        out.put("created_at", a.createdAt());
        out.put("rows", rows);
        return out;
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel every unfinished cell; finished cells keep their results")
    public Map<String, Object> cancel(@PathParam("id") String id) {
        return get(alignments.cancel(id).id());
    }
}
