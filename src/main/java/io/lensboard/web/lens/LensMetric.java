package io.lensboard.web.lens;

import io.lensboard.analysis.LensResult;
import io.lensboard.web.common.Numbers;
import java.util.function.ToDoubleFunction;

/** What colours a lens cell. Ranks are drawn on a log scale; the rest linearly. */
public enum LensMetric {
    PROB("prob", "probability of the top-1 token", false, p -> p.top().get(0).prob()),
    LOGIT("logit", "logit of the top-1 token", false, p -> p.top().get(0).logit()),
    RANK("rank", "rank of the final layer's top-1 token (log scale)", true, p -> p.rankFinalTop1()),
    KL_FINAL("kl_final", "KL(final ‖ layer), nats", false, LensResult.Position::klFinal),
    KL_INPUT("kl_input", "KL(input ‖ layer), nats", false, LensResult.Position::klInput),
    ENTROPY("entropy", "entropy, nats", false, LensResult.Position::entropy);

    public final String key;
    public final String label;
    public final boolean log;
    private final ToDoubleFunction<LensResult.Position> value;

    LensMetric(String key, String label, boolean log, ToDoubleFunction<LensResult.Position> value) {
        this.key = key;
        this.label = label;
        this.log = log;
        this.value = value;
    }

    public double of(LensResult.Position p) {
        return value.applyAsDouble(p);
    }

    /** A rank as a whole number; the rest to 4 significant digits, scientific only where needed. */
    public String format(double v) {
        return this == RANK ? String.valueOf((long) v) : Numbers.number(v);
    }

    public static LensMetric parse(String key) {
        if (key == null || key.isBlank()) {
            return PROB;
        }
        for (LensMetric m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new io.lensboard.analysis.InvalidInputException("metric must be one of prob, logit, rank, kl_final, kl_input, entropy; got '" + key + "'");
    }
}
