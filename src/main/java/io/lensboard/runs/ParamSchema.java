package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.lensboard.analysis.InvalidInputException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A run kind's parameters, read from its parameter record: each component's {@link Schema} annotation states its
 * default, range, choices and description once, and that one statement checks requests, fills defaults, draws the
 * form and documents {@code POST /api/runs}. Components are named in snake_case, as in the API.
 */
public final class ParamSchema<P extends Record> {
    /** Strings with this format are long texts (a textarea in forms). */
    public static final String MULTILINE = "multiline";

    /** The longest string parameter unless its schema says otherwise (a feature slice, a choice). */
    public static final int DEFAULT_MAX_LENGTH = 200;

    /**
     * One parameter. {@code fallback} is null when the parameter is required, or when its default depends on the
     * model or on other parameters (the kind fills it in); {@code min}/{@code max} are null where unbounded.
     */
    public record Param(String name, Class<?> type, String fallback, Double min, boolean minExclusive, Double max,
                        List<String> choices, String description, boolean required, boolean multiline, String example,
                        int maxLength) {
        public boolean isBoolean() {
            return type == boolean.class || type == Boolean.class;
        }

        public boolean isWhole() {
            return type == int.class || type == long.class || type == Integer.class || type == Long.class;
        }

        public boolean isNumber() {
            return isWhole() || type == double.class || type == Double.class;
        }
    }

    private final Class<P> type;
    private final List<Param> params;

    private ParamSchema(Class<P> type, List<Param> params) {
        this.type = type;
        this.params = params;
    }

    public static <P extends Record> ParamSchema<P> of(Class<P> type) {
        List<Param> params = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Schema s = schema(type, c);
            String name = PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(c.getName());
            params.add(new Param(name, c.getType(), s.defaultValue().isEmpty() ? null : s.defaultValue(), bound(s.minimum()),
                    s.exclusiveMinimum(), bound(s.maximum()), List.of(s.enumeration()), s.description(), s.required(),
                    MULTILINE.equals(s.format()), s.example(), s.maxLength() == Integer.MAX_VALUE ? DEFAULT_MAX_LENGTH : s.maxLength()));
        }
        return new ParamSchema<>(type, List.copyOf(params));
    }

    private static Schema schema(Class<?> type, RecordComponent c) {
        try {
            Schema s = type.getDeclaredField(c.getName()).getAnnotation(Schema.class);
            if (s == null) {
                throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " has no @Schema: state its default and range");
            }
            return s;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Double bound(String s) {
        return s.isEmpty() ? null : Double.valueOf(s);
    }

    public Class<P> type() {
        return type;
    }

    public List<Param> params() {
        return params;
    }

    /** Checks every parameter against its schema (InvalidInputException naming the parameter) and fills in defaults. */
    public P read(JsonNode json) {
        ParamReader r = new ParamReader(json);
        Object[] values = new Object[params.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = read(r, params.get(i));
        }
        r.done();
        return construct(values);
    }

    private static Object read(ParamReader r, Param p) {
        if (p.isBoolean()) {
            return r.bool(p.name(), p.fallback() == null ? null : Boolean.valueOf(p.fallback()));
        }
        if (p.isWhole()) {
            Long x = r.integer(p.name(), p.fallback() == null ? null : Long.valueOf(p.fallback()),
                    p.min() == null ? Long.MIN_VALUE : p.min().longValue(), p.max() == null ? Long.MAX_VALUE : p.max().longValue(),
                    p.required());
            if (x == null) {
                return null;
            }
            return p.type() == int.class || p.type() == Integer.class ? (Object) Math.toIntExact(x) : x;
        }
        if (p.isNumber()) {
            return r.number(p.name(), p.fallback() == null ? null : Double.valueOf(p.fallback()),
                    p.min() == null ? Double.NEGATIVE_INFINITY : p.min(), p.minExclusive(),
                    p.max() == null ? Double.POSITIVE_INFINITY : p.max(), p.required());
        }
        if (!p.choices().isEmpty()) {
            return r.choice(p.name(), p.fallback(), p.choices());
        }
        return r.text(p.name(), p.fallback(), p.required(), p.maxLength());
    }

    private P construct(Object[] values) {
        try {
            Constructor<P> canonical = type.getDeclaredConstructor(
                    Arrays.stream(type.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** {@code params} with one component (its Java name) replaced by {@code value}: the same run but for one thing. */
    public P with(P params, String component, Object value) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                values[i] = components[i].getName().equals(component) ? value : components[i].getAccessor().invoke(params);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        if (Arrays.stream(components).noneMatch(c -> c.getName().equals(component))) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no component " + component);
        }
        return construct(values);
    }

    /** The parameters as stored with a run and shown by the API. */
    public JsonNode write(ObjectMapper json, P params) {
        return json.valueToTree(params);
    }

    /** Stored parameters back into their record (they were checked when the run was created). */
    public P stored(ObjectMapper json, JsonNode stored) {
        try {
            return json.treeToValue(stored, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored parameters do not fit " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** "params.NAME must be between MIN and MAX, got X": for checks against the model, in the schema's words. */
    public static void range(String name, long x, long min, long max) {
        if (x < min || x > max) {
            throw new InvalidInputException("params." + name + " must be between " + min + " and " + max + ", got " + x);
        }
    }
}
