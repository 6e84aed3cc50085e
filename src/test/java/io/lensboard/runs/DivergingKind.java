package io.lensboard.runs;

import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A kind for {@link DivergenceTest} only (an alternative, enabled by that test's profile alone): its loss is 1/n at
 * step n, NaN at step {@code nan_at}, and its result's loss Infinity when {@code infinite_result}. It stands for any
 * kind whose optimisation blows up, so the run loop's check is proved without relying on a real one to diverge.
 */
@Alternative
@Singleton
public class DivergingKind implements RunKind<DivergingKind.Params> {
    public record Params(
            @Schema(defaultValue = "5", minimum = "1", maximum = "100") int steps,
            @Schema(defaultValue = "0", minimum = "0", maximum = "100", description = "the step whose loss is NaN; 0: none") int nan_at,
            @Schema(defaultValue = "false") boolean infinite_result) {}

    public record Result(double loss) {}

    private static final ParamSchema<Params> SCHEMA = ParamSchema.of(Params.class);

    @Override
    public String name() {
        return "diverging";
    }

    @Override
    public String title() {
        return "Diverging (test)";
    }

    @Override
    public ParamSchema<Params> schema() {
        return SCHEMA;
    }

    @Override
    public Params complete(Params params, Optional<ModelConfig> config) {
        return params;
    }

    @Override
    public String subject(Params params) {
        return "NaN at step " + params.nan_at();
    }

    // never rendered (the test reads the API only); named so that the start-up check finds templates with a cell
    @Override
    public String liveTemplate() {
        return "runs/reconstruction-live";
    }

    @Override
    public String resultTemplate() {
        return "runs/reconstruction-result";
    }

    @Override
    public Job open(LoadedModel model, Params p, Progress progress) {
        return new Job() {
            private int n;

            @Override
            public boolean finished() {
                return n == p.steps();
            }

            @Override
            public void step(Progress progress) {
                n++;
                progress.emit("step", Map.of("step", n, "progress", (double) n / p.steps()));
                progress.emit("loss", Map.of("step", n, "loss", n == p.nan_at() ? Double.NaN : 1.0 / n));
            }

            @Override
            public Object result() {
                return new Result(p.infinite_result() ? Double.POSITIVE_INFINITY : 1.0 / n);
            }

            @Override
            public void close() {}
        };
    }
}
