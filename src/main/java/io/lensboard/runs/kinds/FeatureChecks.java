package io.lensboard.runs.kinds;

import io.lensboard.analysis.Feature;
import io.lensboard.analysis.FeatureSlice;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.ParamSchema;
import java.util.Optional;

/** What every feature kind checks of its {@code layer} (1-based block) and {@code feature} (a slice). */
final class FeatureChecks {
    private FeatureChecks() {}

    /** Checks the layer and the slice against the model when known; returns the feature, its slice normalised. */
    static Feature check(int layer, String feature, Optional<ModelConfig> config) {
        config.ifPresent(c -> ParamSchema.range("layer", layer, 1, c.nLayers()));
        FeatureSlice slice = FeatureSlice.parse(feature);
        config.ifPresent(c -> slice.checkNeurons(c.dModel()));
        return new Feature(layer, slice);
    }
}
