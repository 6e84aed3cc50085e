package io.lensboard.web.runs;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Two runs side by side ({@code /runs/compare?a=ID&b=ID}), each as its own page shows it, live: a run and its twin. */
@Path("/runs/compare")
@Produces(MediaType.TEXT_HTML)
public class RunComparePageResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance runCompare(RunRecord a, RunRecord b, String paneA, String paneB);
    }

    @Inject
    RunService service;

    @Inject
    RunPanes panes;

    /** The side-by-side page of runs {@code a} and {@code b}. */
    static URI link(String a, String b) {
        return URI.create("/runs/compare?a=" + URLEncoder.encode(a, StandardCharsets.UTF_8) + "&b=" + URLEncoder.encode(b, StandardCharsets.UTF_8));
    }

    @GET
    public String page(@QueryParam("a") String a, @QueryParam("b") String b) {
        if (a == null || a.isBlank() || b == null || b.isBlank()) {
            throw new InvalidInputException("give two runs to compare: /runs/compare?a=RUN_ID&b=RUN_ID (the ids are on /runs)");
        }
        RunRecord ra = service.find(a.strip());
        RunRecord rb = service.find(b.strip());
        return Templates.runCompare(ra, rb, panes.pane(ra), panes.pane(rb)).render();
    }
}
