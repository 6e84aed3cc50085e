package io.lensboard.web.runs;

import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Two runs side by side ({@code /runs/compare/A/B}), each as its own page shows it, live: a run and its twin. The
 * second run's id ends the URL, as it ends a run page's.
 */
@Path("/runs/compare/{a}/{b}")
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
        return URI.create("/runs/compare/" + URLEncoder.encode(a, StandardCharsets.UTF_8) + "/" + URLEncoder.encode(b, StandardCharsets.UTF_8));
    }

    @GET
    public String page(@PathParam("a") String a, @PathParam("b") String b) {
        RunRecord ra = service.find(a);
        RunRecord rb = service.find(b);
        return Templates.runCompare(ra, rb, panes.pane(ra), panes.pane(rb)).render();
    }
}
