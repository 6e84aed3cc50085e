package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Optional;

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

    /** The kinds that can be studied over models × blocks × lm_head × seeds. */
    public List<RunKind<?>> studyable() {
        return byName.values().stream().filter(k -> k instanceof Studyable).toList();
    }

    /** The parameters of the same run with the next seed ("run again"), or empty if the run's kind is not seeded. */
    public Optional<JsonNode> nextSeed(RunRecord run) {
        return get(run.kind()) instanceof Seeded<?> kind ? Optional.of(nextSeed(kind, run.params())) : Optional.empty();
    }

    /** Keys the kind's record does not hold (the dtype the model was held in) stay as they were. */
    private <P extends Record & SeededRun> JsonNode nextSeed(Seeded<P> kind, JsonNode stored) {
        ObjectNode next = stored.deepCopy();
        next.setAll((ObjectNode) kind.schema().write(json, kind.nextSeed(kind.schema().stored(json, stored))));
        return next;
    }

    /** The picture a run's event carries, if its kind shows pictures and this event has one; else null. */
    public String picture(RunRecord run, String type, JsonNode data) {
        return get(run.kind()) instanceof Pictures kind ? kind.picture(type, data) : null;
    }

    /** A stored run's parameters as its kind's record, to ask by type (a {@link TargetRun}, say) rather than by field name. */
    public Record params(RunRecord run) {
        return get(run.kind()).schema().stored(json, run.params());
    }

    /** What a stored run is about, in its kind's words. */
    public String subject(RunRecord run) {
        return subject(get(run.kind()), run);
    }

    private <P extends Record> String subject(RunKind<P> kind, RunRecord run) {
        return kind.subject(kind.schema().stored(json, run.params()));
    }
}
