package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.FeatureSlice;
import io.lensboard.model.ModelConfig;
import java.util.Optional;

/**
 * The parameters every feature-visualisation kind shares: {@code layer} (1-based) and {@code feature} (a slice).
 */
final class FeatureParams {
    private FeatureParams() {}

    /** Reads and checks layer and feature, storing the feature in its normalised notation. */
    static Feature read(ParamReader r, Optional<ModelConfig> config) {
        int layer = (int) r.integer("layer", 1, 1, config.map(ModelConfig::nLayers).orElse(1000));
        FeatureSlice slice = FeatureSlice.parse(r.text("feature", null));
        config.ifPresent(c -> slice.checkNeurons(c.dModel()));
        r.put("feature", slice.text());
        return new Feature(layer, slice);
    }

    /** The feature of normalised parameters. */
    static Feature of(JsonNode p) {
        return new Feature(p.get("layer").asInt(), FeatureSlice.parse(p.get("feature").asText()));
    }
}
