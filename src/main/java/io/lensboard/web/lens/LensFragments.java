package io.lensboard.web.lens;

import io.lensboard.analysis.LensResult;
import io.lensboard.web.common.EventStream;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;
import java.util.Optional;

/** The lens page's htmx fragments (templates/fragments/lens-*.html), shared by the page, its table and its stream. */
@CheckedTemplate(basePath = "fragments", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class LensFragments {
    private LensFragments() {}

    static native TemplateInstance lensPane(LensSelection p, String pane, boolean complete,
                                            List<LensView.Head> heads, List<LensView.Row> rows);

    static native TemplateInstance lensHead(List<LensView.Head> heads);

    static native TemplateInstance lensRow(LensView.Row row, String pane);

    static native TemplateInstance lensCell(LensCell cell);

    static native TemplateInstance lensStatus$loading(String model);

    static native TemplateInstance lensStatus$decoded();

    static native TemplateInstance lensStatus$failed(String error);

    static native TemplateInstance lensStatus$done();

    /** The table: complete when the result is {@code cached}, else a skeleton that fills over SSE. */
    static String pane(LensSelection p, String pane, Optional<LensResult> cached) {
        return cached.map(r -> lensPane(p, pane, true, LensView.heads(r.tokens()), LensView.rows(r, p.metric())))
                .orElseGet(() -> lensPane(p, pane, false, List.of(), List.of()))
                .render();
    }

    static void send(EventStream events, String event, TemplateInstance fragment) {
        // One line per event: htmx joins multi-line data with newlines, and rows need none.
        events.send(event, fragment.render().strip().replaceAll("\\s*\\n\\s*", " "));
    }
}
