package io.lensboard.web.runs;

import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * A run as its page shows it (templates/runPane.html), alone on its page (templates/run.html) or as one of two panes
 * side by side (/runs/compare): the same header, buttons, live feed and result either way.
 */
@ApplicationScoped
public class RunPanes {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance run(RunRecord run, String pane);

        static native TemplateInstance runPane(RunRecord run, String title, String state, List<Param> params, boolean again,
                                               Twin twin, boolean alone, String live, String result);
    }

    /** A stored parameter as the run page lists it. */
    public record Param(String name, String value) {}

    @Inject
    RunKinds kinds;

    @Inject
    RunViews views;

    /** The run's whole page. */
    String page(RunRecord r) {
        return Templates.run(r, pane(r, true)).render();
    }

    /** The run as one pane of a page that shows two (element ids are left out: the page holds two of each). */
    String pane(RunRecord r) {
        return pane(r, false);
    }

    private String pane(RunRecord r, boolean alone) {
        return Templates.runPane(r, views.title(r), r.state().key(), params(r), kinds.nextSeed(r).isPresent(), Twin.of(r.model()).orElse(null),
                alone, views.live(r), views.result(r)).render();
    }

    private static List<Param> params(RunRecord r) {
        return r.params().properties().stream()
                .map(e -> new Param(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString())).toList();
    }
}
