package io.lensboard.web.runs;

import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.RunKind;
import io.lensboard.runs.RunKinds;
import io.quarkus.arc.Arc;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.math.BigDecimal;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Documents {@code POST /api/runs}: one schema per run kind ({@code <kind>-params}), drawn from the same
 * parameter schema that checks requests and draws the forms, and {@code params} of the request as one of them.
 * Runs at start, when the kinds (CDI beans) are known.
 */
@OpenApiFilter(OpenApiFilter.RunStage.RUN)
public class RunKindsSchema implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Schema newRun = openAPI.getComponents().getSchemas().get("NewRun");
        RunKinds kinds = Arc.container().instance(RunKinds.class).get();
        Schema params = OASFactory.createSchema().description("the parameters of the kind named by 'kind'; unknown ones are refused");
        for (RunKind<?> kind : kinds.all()) {
            String name = kind.name() + "-params";
            openAPI.getComponents().addSchema(name, schema(kind));
            params.addOneOf(OASFactory.createSchema().ref("#/components/schemas/" + name));
        }
        if (newRun != null && newRun.getProperties() != null) {
            newRun.addProperty("params", params);
            newRun.addProperty("kind", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                    .enumeration(kinds.all().stream().<Object>map(RunKind::name).toList()));
        }
    }

    private static Schema schema(RunKind<?> kind) {
        Schema s = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).title(kind.title())
                .description("params of kind '" + kind.name() + "'");
        for (ParamSchema.Param p : kind.schema().params()) {
            Schema property = OASFactory.createSchema().addType(type(p)).description(p.description());
            if (p.fallback() != null) {
                property.defaultValue(p.isBoolean() ? Boolean.valueOf(p.fallback()) : p.isNumber() ? new BigDecimal(p.fallback()) : p.fallback());
            }
            if (p.min() != null) {
                property.minimum(bound(p, p.min()));
                if (p.minExclusive()) {
                    property.exclusiveMinimum(bound(p, p.min())).minimum(null);
                }
            }
            if (p.max() != null) {
                property.maximum(bound(p, p.max()));
            }
            if (!p.isBoolean() && !p.isNumber()) {
                property.maxLength(p.maxLength());
            }
            if (!p.choices().isEmpty()) {
                property.enumeration(List.copyOf(p.choices()));
            }
            s.addProperty(p.name(), property);
            if (p.required()) {
                s.addRequired(p.name());
            }
        }
        return s;
    }

    /** Whole numbers as such (100000, not 100000.0). */
    private static BigDecimal bound(ParamSchema.Param p, double x) {
        return p.isWhole() ? BigDecimal.valueOf((long) x) : BigDecimal.valueOf(x);
    }

    private static Schema.SchemaType type(ParamSchema.Param p) {
        return p.isBoolean() ? Schema.SchemaType.BOOLEAN : p.isWhole() ? Schema.SchemaType.INTEGER
                : p.isNumber() ? Schema.SchemaType.NUMBER : Schema.SchemaType.STRING;
    }
}
