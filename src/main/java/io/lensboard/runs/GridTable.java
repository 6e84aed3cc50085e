package io.lensboard.runs;

import java.util.List;

/**
 * The kinds of run grid and the SQL table each is stored in. A grid's axes, outermost first, each named as in the
 * API and feeding one run parameter; the first axis is always the models, which feed the run's model.
 */
public enum GridTable {
    /** The write-up's alignment table: rows (model, layer), columns features. */
    ALIGNMENTS("alignments", "alignment", "table", List.of(
            new Axis("models", "model", "model ids, e.g. [\"gpt2-tiny\", \"gpt2-tiny:untrained\"]"),
            new Axis("layers", "layer", "1-based block numbers, e.g. [1, 4, 8, 12]"),
            new Axis("features", "feature", "slices, e.g. [\"[:, :, 17]\", \"[:, :, 2000-2004]\"]"))),
    /** A study: the same run over models, blocks, with and without the LM head, and seeds. */
    STUDIES("studies", "study", "study", List.of(
            new Axis("models", "model", "model ids, e.g. [\"gpt2-tiny\", \"gpt2-tiny:untrained\"]"),
            new Axis("blocks", "blocks", "block counts, e.g. [1, 2, 4]"),
            new Axis("lm_head", "lm_head", "[true, false], or one of them"),
            new Axis("seeds", "seed", "seeds of e_0, e.g. [0, 1, 2]")));

    /** {@code param}: the run parameter the axis's values go to; {@code hint}: what to give when it is empty. */
    public record Axis(String name, String param, String hint) {}

    private final String sqlTable;
    private final String single;
    private final String noun;
    private final List<Axis> axes;

    GridTable(String sqlTable, String single, String noun, List<Axis> axes) {
        this.sqlTable = sqlTable;
        this.single = single;
        this.noun = noun;
        this.axes = axes;
    }

    /** A constant, never user input: safe to put into SQL. */
    String sqlTable() {
        return sqlTable;
    }

    /** One of the API's {@code /api/<sqlTable>}: "no alignment 'x'" names what the URL asked for. */
    public String single() {
        return single;
    }

    /** What a grid of this kind is called in messages about its size and axes. */
    public String noun() {
        return noun;
    }

    public List<Axis> axes() {
        return axes;
    }
}
