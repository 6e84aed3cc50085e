package io.lensboard.web.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.LensboardConfig;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.corpora.Corpora;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.RunKinds;
import io.lensboard.web.common.RefusedForm;
import io.lensboard.web.models.ModelInfo;
import io.lensboard.web.models.ModelListing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedMap;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * The start forms of the runs page, one per kind, drawn from the kind's parameter schema (defaults, ranges and
 * choices as the API states them), and a posted form read back into the API's JSON parameters.
 */
@ApplicationScoped
public class RunForms {

    /**
     * One input; {@code input} is textarea, select, number or text; {@code suggestions} are values a text input offers
     * (a datalist) without limiting it to them.
     */
    public record Field(String name, String description, String input, String value, String min, String max, String step,
                        List<String> choices, List<String> suggestions, boolean required) {}

    /**
     * A kind's form; {@code models} are those that can run the kind (text models for a text kind; ViTs and hybrids for
     * an image kind), the first preselected; {@code error} and the values typed are shown again when the post was refused.
     */
    public record Form(String kind, String title, String model, List<String> models, List<Field> fields, String error,
                       boolean open) {}

    /*
     * A parameter named "corpus" names one of the corpora (GET /api/corpora): its field offers them. The name is the
     * schema's contract with the corpora API, which the kinds' descriptions state.
     */
    private static final String CORPUS = "corpus";

    @Inject
    RunKinds kinds;

    @Inject
    ObjectMapper json;

    @Inject
    LensboardConfig config;

    @Inject
    ModelListing listing;

    @Inject
    Corpora corpora;

    public List<Form> forms() {
        return forms(null, RefusedForm.NONE);
    }

    /** The forms, the one of {@code postedKind} keeping the values {@code refused} typed and showing its message. */
    public List<Form> forms(String postedKind, RefusedForm refused) {
        List<String> text = listing.textModels().stream().map(ModelInfo::id).distinct().toList();
        List<String> images = listing.imageModels();
        List<String> corpusNames = corpora.list().stream().map(Corpora.Corpus::name).toList();
        return kinds.all().stream().map(k -> {
            boolean mine = k.name().equals(postedKind);
            RefusedForm own = mine ? refused : RefusedForm.NONE;
            return new Form(k.name(), k.title(), own.value("model"), k.takesImages() ? images : text,
                    k.schema().params().stream().map(p -> field(p, own.value(p.name()), corpusNames)).toList(),
                    own.error(), mine || postedKind == null && k.name().equals(config.runs().defaultKind()));
        }).toList();
    }

    private static Field field(ParamSchema.Param p, String typed, List<String> corpusNames) {
        String value = typed != null ? typed : p.fallback() != null ? p.fallback() : p.example().isEmpty() ? "" : p.example();
        String description = p.description() + (p.fallback() == null && !p.required() ? " (empty: the default)" : "");
        if (p.isBoolean()) {
            return new Field(p.name(), description, "select", value, null, null, null, List.of("true", "false"), List.of(), p.required());
        }
        if (!p.choices().isEmpty()) {
            return new Field(p.name(), description, "select", value, null, null, null, p.choices(), List.of(), p.required());
        }
        if (p.isNumber()) {
            return new Field(p.name(), description, "number", value, p.min() == null || p.minExclusive() ? null : plain(p.min()),
                    p.max() == null ? null : plain(p.max()), p.isWhole() ? "1" : "any", List.of(), List.of(), p.required());
        }
        return new Field(p.name(), description, p.multiline() ? "textarea" : "text", value, null, null, null, List.of(),
                p.name().equals(CORPUS) ? corpusNames : List.of(), p.required());
    }

    private static String plain(double x) {
        return BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    /**
     * The API's parameters from a posted form: the kind's parameters that were filled in, each as its type; other
     * fields are the form's own (kind, model) and are not parameters.
     */
    public ObjectNode params(RunKind<?> kind, MultivaluedMap<String, String> form) {
        ObjectNode params = json.createObjectNode();
        for (ParamSchema.Param p : kind.schema().params()) {
            String v = form.getFirst(p.name());
            if (v == null || (v.isBlank() && !p.required())) {
                continue;
            }
            if (p.isBoolean()) {
                params.put(p.name(), switch (v.trim().toLowerCase(Locale.ROOT)) {
                    case "true", "on", "1" -> true;
                    case "false", "off", "0" -> false;
                    default -> throw new InvalidInputException(p.name() + " must be true or false, got '" + v + "'");
                });
            } else if (p.isNumber()) {
                try {
                    params.put(p.name(), new BigDecimal(v.trim()));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(p.name() + " must be a number, got '" + v + "'");
                }
            } else {
                params.put(p.name(), v);
            }
        }
        return params;
    }
}
