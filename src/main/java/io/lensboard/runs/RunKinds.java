package io.lensboard.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.analysis.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every run kind there is (each a CDI bean), by name; the one place a kind is found from its name. */
@ApplicationScoped
public class RunKinds {
    private final Map<String, RunKind<?>> byName = new LinkedHashMap<>();

    @Inject
    ObjectMapper json;

    @Inject
    RunKinds(@Any Instance<RunKind<?>> kinds) {
        kinds.stream().sorted(Comparator.comparing(RunKind::name)).forEach(k -> byName.put(k.name(), k));
    }

    public RunKind<?> get(String name) {
        RunKind<?> kind = byName.get(name == null ? "" : name);
        if (kind == null) {
            throw new InvalidInputException("unknown run kind '" + name + "'; known: " + byName.keySet());
        }
        return kind;
    }

    public Collection<RunKind<?>> all() {
        return byName.values();
    }

    /** The kinds whose runs can fill an alignment table. */
    public List<RunKind<?>> featureKinds() {
        return byName.values().stream().filter(k -> k instanceof FeatureKind).toList();
    }

    /** What a stored run is about, in its kind's words. */
    public String subject(RunRecord run) {
        return subject(get(run.kind()), run);
    }

    private <P extends Record> String subject(RunKind<P> kind, RunRecord run) {
        return kind.subject(kind.schema().stored(json, run.params()));
    }
}
