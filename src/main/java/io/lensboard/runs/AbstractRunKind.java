package io.lensboard.runs;

/**
 * What every kind writes the same way, written once: its name, its title, its parameter schema (read from the
 * record {@code P}) and its two templates, {@code runs/<templates>-live} and {@code runs/<templates>-result}.
 * A kind extends this and says only what is its own: its checks, its job and its subject.
 */
public abstract class AbstractRunKind<P extends Record> implements RunKind<P> {
    private final String name;
    private final String title;
    private final ParamSchema<P> schema;
    private final String templates;

    /** A kind whose templates are named after it. */
    protected AbstractRunKind(String name, String title, Class<P> params) {
        this(name, title, params, name);
    }

    /** {@code templates}: the templates' stem, when several kinds share them (both ascents, say). */
    protected AbstractRunKind(String name, String title, Class<P> params, String templates) {
        this.name = name;
        this.title = title;
        this.schema = ParamSchema.of(params);
        this.templates = templates;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String title() {
        return title;
    }

    @Override
    public final ParamSchema<P> schema() {
        return schema;
    }

    @Override
    public final String liveTemplate() {
        return "runs/" + templates + "-live";
    }

    @Override
    public final String resultTemplate() {
        return "runs/" + templates + "-result";
    }
}
