package io.lensboard.web.grids;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.StudyService;
import io.lensboard.web.common.Params;
import io.lensboard.web.runs.RunForms;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.List;
import java.util.function.Function;

/** The study form as a new study: models (several), blocks and seeds as lists, LM head on and/or off, the rest the runs' parameters. */
final class StudyForm {
    private StudyForm() {}

    /** The form's axis fields, read as lists; every other field is one of the kind's parameters. */
    private static final List<String> AXES = List.of("kind", "models", "blocks", "lm_head", "seeds");

    static StudyService.NewStudy read(MultivaluedMap<String, String> form, RunKinds kinds, RunForms forms) {
        String kind = form.getFirst("kind");
        MultivaluedMap<String, String> shared = new MultivaluedHashMap<>(form);
        AXES.forEach(shared::remove);
        ObjectNode params = forms.params(kinds.get(kind), shared);
        return new StudyService.NewStudy(kind, form.get("models"), numbers("blocks", form.getFirst("blocks"), Integer::valueOf),
                lmHead(form.get("lm_head")), numbers("seeds", form.getFirst("seeds"), Long::valueOf), params);
    }

    private static <T> List<T> numbers(String field, String text, Function<String, T> parse) {
        return Params.numbers(field, text, parse, "a whole number", "0, 1, 2");
    }

    private static List<Boolean> lmHead(List<String> checked) {
        return checked == null ? List.of() : checked.stream().map(Boolean::valueOf).toList();
    }
}
