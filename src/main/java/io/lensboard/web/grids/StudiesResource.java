package io.lensboard.web.grids;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.RunGrid;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.StudyService;
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

/** Studies as JSON: start one (a batch of runs over models × blocks × lm_head × seeds), read it cell by cell, cancel it. */
@Path("/api/studies")
@Produces(MediaType.APPLICATION_JSON)
public class StudiesResource {

    @Inject
    StudyService studies;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a study: {kind, models, blocks, lm_head, seeds, params}; one run per combination; 201 with {id, page}")
    public Response create(StudyService.NewStudy request) {
        if (request == null) {
            throw new InvalidInputException("send a JSON body {\"kind\", \"models\", \"blocks\", \"lm_head\", \"seeds\", \"params\"}");
        }
        RunGrid s = studies.start(request);
        return Response.created(URI.create("/api/studies/" + s.id())).entity(Map.of("id", s.id(), "page", "/studies/" + s.id())).build();
    }

    @GET
    @Operation(summary = "Studies, newest first: their axes and shared params")
    public List<Map<String, Object>> list(@QueryParam("limit") @DefaultValue("100") String limit) {
        return studies.list(Params.limit(limit)).stream().map(StudiesResource::summary).toList();
    }

    private static Map<String, Object> summary(RunGrid s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("kind", s.kind());
        out.put("models", s.values().get(0));
        out.put("blocks", s.values().get(1));
        out.put("lm_head", s.values().get(2));
        out.put("seeds", s.values().get(3));
        out.put("params", s.params());
        out.put("created_at", s.createdAt());
        out.put("page", "/studies/" + s.id());
        return out;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A study: its state and one cell per combination with its axis values, run id, state and result")
    public Map<String, Object> get(@PathParam("id") String id) {
        RunGrid s = studies.find(id);
        List<RunRecord> runs = studies.cells(s);
        List<Map<String, Object>> cells = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Map<String, Object> cell = new LinkedHashMap<>();
            cell.put("model", s.value(i, 0));
            cell.put("blocks", s.value(i, 1));
            cell.put("lm_head", s.value(i, 2));
            cell.put("seed", s.value(i, 3));
            cell.put("run", runs.get(i).id());
            cell.put("state", runs.get(i).state());
            cell.put("error", runs.get(i).error());
            cell.put("result", runs.get(i).result());
            cells.add(cell);
        }
        Map<String, Object> out = summary(s);
        out.put("state", StudyService.state(runs));
        out.put("cells", cells);
        return out;
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel every unfinished cell; finished cells keep their results")
    public Map<String, Object> cancel(@PathParam("id") String id) {
        return get(studies.cancel(id).id());
    }
}
