package io.lensboard.web.runs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.lensboard.Threads;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.TokenEvent;
import io.lensboard.runs.TokenText;
import io.lensboard.web.common.TokenDisplay;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run in its kind's own templates: the live part of its page, the fragment that renders one of its events,
 * its result, and its cell in an alignment table. The templates get {@code run}, {@code params} (the kind's
 * parameter record), {@code result} (a map, once done) and, for an event, {@code e} (its data as a map). An event's data
 * as a page's script gets it, and the tokens a table's cell shows, come from the kind's event record: its
 * {@link TokenText}s are the tokens, whatever their fields are called.
 */
@ApplicationScoped
public class RunViews {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    @Inject
    Engine engine;

    @Inject
    RunKinds kinds;

    @Inject
    ObjectMapper json;

    /** The API's JSON, but every {@link TokenText} shown as the lens shows tokens. */
    private ObjectMapper page;

    @PostConstruct
    void page() {
        page = json.copy().registerModule(new SimpleModule().addSerializer(new StdSerializer<>(TokenText.class) {
            @Override
            public void serialize(TokenText token, JsonGenerator out, SerializerProvider provider) throws IOException {
                out.writeString(TokenDisplay.visible(token.text()));
            }
        }));
    }

    /** Fails at start, not at a viewer's request, when a kind lacks a template. */
    void check(@Observes StartupEvent startup) {
        for (RunKind<?> kind : kinds.all()) {
            template(kind.liveTemplate());
            if (!template(kind.resultTemplate()).getFragmentIds().contains("cell")) {
                throw new IllegalStateException(kind.resultTemplate() + " has no {#fragment id=cell}: the runs list shows it");
            }
        }
    }

    private Template template(String name) {
        Template t = engine.getTemplate(name);
        if (t == null) {
            throw new IllegalStateException("no template '" + name + "' in templates/");
        }
        return t;
    }

    public String title(RunRecord run) {
        return kinds.get(run.kind()).title();
    }

    public String live(RunRecord run) {
        return data(template(kinds.get(run.kind()).liveTemplate()).instance(), run).render();
    }

    public String result(RunRecord run) {
        return data(template(kinds.get(run.kind()).resultTemplate()).instance(), run).render();
    }

    /** A finished run in one line (the runs list, a table's cell): its result template's {@code cell} fragment. */
    public String cell(RunRecord run) {
        return data(template(kinds.get(run.kind()).resultTemplate()).getFragment("cell").instance(), run).render().strip();
    }

    /** What a table of these runs shows under its heading: the result template's {@code legend} fragment. */
    public String legend(String kind) {
        return template(kinds.get(kind).resultTemplate()).getFragment("legend").render().strip();
    }

    /** The live template's fragment named after the event's type, if it has one and it renders anything. */
    public Optional<String> event(RunRecord run, String type, JsonNode data) {
        Template live = template(kinds.get(run.kind()).liveTemplate());
        if (!live.getFragmentIds().contains(type)) {
            return Optional.empty();
        }
        String html = data(live.getFragment(type).instance(), run).data("e", map(data)).render().strip();
        return html.isEmpty() ? Optional.empty() : Optional.of(html);
    }

    /** The event's data as a page's script gets it: the stored JSON with its kind's tokens visible. */
    public JsonNode shown(RunRecord run, String type, JsonNode data) {
        return EventRecord.read(kinds.get(run.kind()), type, data, json).<JsonNode>map(page::valueToTree).orElse(data);
    }

    /** The run's current tokens that the event carries (a decoding, a target), visible; empty when it carries none. */
    public List<String> tokens(RunRecord run, String type, JsonNode data) {
        return EventRecord.read(kinds.get(run.kind()), type, data, json)
                .flatMap(r -> r instanceof TokenEvent e ? Optional.ofNullable(e.tokens()) : Optional.empty())
                .map(tokens -> tokens.stream().map(t -> TokenDisplay.visible(t.text())).toList())
                .orElse(List.of());
    }

    private TemplateInstance data(TemplateInstance t, RunRecord run) {
        Threads.blocking("rendering a run");
        RunKind<?> kind = kinds.get(run.kind());
        return t.data("run", run).data("params", kind.schema().stored(json, run.params()))
                .data("result", run.result() == null ? null : map(run.result()));
    }

    Map<String, Object> map(JsonNode node) {
        return json.convertValue(node, MAP);
    }
}
