package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Activations captured during a forward pass under TransformerLens's names (made by {@link Hooks}:
 * {@code hook_embed}, {@code blocks.3.hook_resid_post}, {@code ln_final.hook_normalized}, ...).
 * Only names the filter accepts are kept, so a plain forward pass holds on to nothing.
 */
public final class ActivationCache {
    private final Predicate<String> wanted;
    private final Map<String, NDArray> activations = new LinkedHashMap<>();

    private ActivationCache(Predicate<String> wanted) {
        this.wanted = wanted;
    }

    public static ActivationCache none() {
        return new ActivationCache(name -> false);
    }

    public static ActivationCache all() {
        return new ActivationCache(name -> true);
    }

    public static ActivationCache of(Predicate<String> wanted) {
        return new ActivationCache(wanted);
    }

    void put(String name, NDArray activation) {
        if (wanted.test(name)) {
            activations.put(name, activation);
        }
    }

    /** The activation, or an error listing what was captured. */
    public NDArray get(String name) {
        NDArray a = activations.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no activation '" + name + "' was captured; captured: " + activations.keySet());
        }
        return a;
    }

    public Map<String, NDArray> asMap() {
        return java.util.Collections.unmodifiableMap(activations);
    }
}
