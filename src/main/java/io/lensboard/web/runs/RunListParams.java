package io.lensboard.web.runs;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.model.pool.ModelRef;
import io.lensboard.runs.RunFilter;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunState;
import io.lensboard.web.lens.LensLinks;
import jakarta.ws.rs.QueryParam;
import java.util.Arrays;
import java.util.Optional;

/** The runs list's filters as the page's URL carries them: {@code ?kind=…&model=…&state=…}, each optional. */
public record RunListParams(@QueryParam("kind") String kind, @QueryParam("model") String model, @QueryParam("state") String state) {

    /**
     * The model as the runs were stored: a hand-typed {@code ?model=vit-tiny+gpt2-tiny} arrives with a space for the
     * '+', and model ids never hold spaces, so it is the hybrid (as every other page reads it).
     */
    @Override
    public String model() {
        return ModelRef.canonical(model);
    }

    /** The filter, each part checked (400 naming what is allowed). */
    public RunFilter filter(RunKinds kinds) {
        Optional<String> k = given(kind).map(name -> kinds.get(name).name());
        Optional<RunState> s = given(state).map(name -> Arrays.stream(RunState.values()).filter(v -> v.key().equals(name)).findFirst()
                .orElseThrow(() -> new InvalidInputException("state must be one of " + Arrays.stream(RunState.values()).map(RunState::key).toList()
                        + ", got '" + name + "'")));
        return new RunFilter(k, given(model()), s);
    }

    /** The filters as a query string for links and the list's polling, empty when none is set. */
    public String query() {
        StringBuilder q = new StringBuilder();
        given(kind).ifPresent(v -> q.append("&kind=").append(LensLinks.enc(v)));
        given(model()).ifPresent(v -> q.append("&model=").append(LensLinks.enc(v)));
        given(state).ifPresent(v -> q.append("&state=").append(LensLinks.enc(v)));
        return q.isEmpty() ? "" : "?" + q.substring(1);
    }

    private static Optional<String> given(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }
}
