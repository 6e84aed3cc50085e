package io.lensboard.web.runs;

import io.lensboard.model.pool.ModelRef;
import java.util.Optional;

/**
 * The run page's "compare with the twin" button: which model the twin run uses ({@link ModelRef#twin}) and what the
 * button says it does, in the direction it goes (trained → untrained, untrained → trained; on a hybrid, which part).
 * The label says it in words a touch screen shows too; the title adds that both runs open side by side.
 */
public record Twin(String model, String label, String title) {

    /** The button for a run of {@code model}; none when the model has no other twin (a hybrid whose stem alone is untrained). */
    static Optional<Twin> of(String model) {
        String twin = ModelRef.twin(model);
        if (twin.equals(model)) {
            return Optional.empty();
        }
        ModelRef ref = ModelRef.parse(model);
        String what;
        if (ref.isHybrid()) {
            what = (ref.stack().untrained() ? "compare with the trained stack" : "compare with an untrained stack")
                    + " (the stem " + ref.stem().id() + " stays as it is)";
        } else {
            what = ref.untrained() ? "compare with the trained model" : "compare with the untrained twin";
        }
        return Optional.of(new Twin(twin, what + ": " + model + " → " + twin,
                "runs the same parameters on " + twin + " and shows both runs side by side"));
    }
}
