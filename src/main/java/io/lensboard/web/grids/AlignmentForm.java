package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.RunKinds;
import io.lensboard.web.common.Params;
import io.lensboard.web.runs.RunForms;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.Arrays;
import java.util.List;

/** The alignment form as a new table: models (several), layers and features as lists, the rest the runs' parameters. */
final class AlignmentForm {
    private AlignmentForm() {}

    static AlignmentService.NewAlignment read(MultivaluedMap<String, String> form, RunKinds kinds, RunForms forms) {
        String kind = form.getFirst("kind");
        ObjectNode params = forms.params(kinds.get(kind), form);
        params.remove(List.of("layer", "feature")); // the table's own axes
        return new AlignmentService.NewAlignment(kind, form.get("models"), Params.layers(form.getFirst("layers")),
                features(form.getFirst("features")), params);
    }

    /** One slice per line, or several on a line separated by ';'. */
    private static List<String> features(String text) {
        return Arrays.stream((text == null ? "" : text).split("[;\\n]")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
