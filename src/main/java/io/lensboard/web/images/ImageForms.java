package io.lensboard.web.images;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.NewRun;
import io.lensboard.runs.RunKinds;
import io.lensboard.web.runs.RunForms;
import io.lensboard.web.models.ModelListing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.ArrayList;
import java.util.List;

/**
 * What the image figures' forms share: the models they offer, a figure kind's parameters, a model field, and one
 * run per (block, model).
 */
@ApplicationScoped
class ImageForms {

    /** The most blocks a comparison shows: 12 rows of tiles. */
    private static final int MAX_BLOCKS = 12;

    @Inject
    ModelListing listing;

    @Inject
    RunKinds kinds;

    @Inject
    RunForms forms;

    /**
     * The models the forms offer: every one an image figure's runs accept (image-ascent and image-reconstruction take a
     * ViT or a hybrid STEM+STACK alike), by the one rule of {@link ModelListing#imageModels}.
     */
    List<String> models() {
        return listing.imageModels();
    }

    /** The first of {@code models} that is a hybrid ({@code hybrid}) or is not: a comparison field's default; "" where none is. */
    static String first(List<String> models, boolean hybrid) {
        return models.stream().filter(m -> m.contains("+") == hybrid).findFirst().orElse("");
    }

    /** The form's values as parameters of the figure's {@code kind}. */
    ObjectNode params(String kind, MultivaluedMap<String, String> form) {
        return forms.params(kinds.get(kind), form);
    }

    /** A model field's value, which must be given. */
    static String model(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(name + " is empty: give a ViT or a hybrid STEM+STACK, e.g. vit-tiny+gpt2-tiny");
        }
        return value.trim();
    }

    /** One run of {@code kind} per block and model, blocks outermost; each run's {@code layer} is its block. */
    static List<NewRun> perBlockAndModel(String kind, ObjectNode params, List<Integer> layers, List<String> models) {
        if (layers.isEmpty() || layers.size() > MAX_BLOCKS) {
            throw new InvalidInputException("layers: give 1 to " + MAX_BLOCKS + " block numbers, e.g. 1, 2; got " + layers.size());
        }
        List<NewRun> batch = new ArrayList<>();
        for (int layer : layers) {
            for (String model : models) {
                batch.add(new NewRun(kind, model, null, params.deepCopy().put("layer", layer)));
            }
        }
        return batch;
    }
}
