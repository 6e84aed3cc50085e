package io.lensboard.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The hook points of a forward pass, under TransformerLens's names (made by {@link Hooks}: {@code hook_embed},
 * {@code blocks.3.hook_resid_post}, {@code ln_final.hook_normalized}, ...): each activation first goes through the
 * {@link Intervention} (patching, ablation; none by default), then is captured if the filter accepts its name. Only
 * names the filter accepts are kept, so a plain forward pass holds on to nothing.
 */
public final class ActivationCache {
    private final Predicate<String> wanted;
    private final Intervention intervention;
    private final Map<String, NDArray> activations = new LinkedHashMap<>();

    private ActivationCache(Predicate<String> wanted, Intervention intervention) {
        this.wanted = wanted;
        this.intervention = intervention;
    }

    private ActivationCache(Predicate<String> wanted) {
        this(wanted, Intervention.NONE);
    }

    /** A cache capturing what this one captures, whose forward pass runs with {@code intervention}. */
    public ActivationCache with(Intervention intervention) {
        return new ActivationCache(wanted, intervention);
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

    /** The activation the pass goes on with: {@code activation} as the intervention leaves it, captured if wanted. */
    NDArray hook(String name, NDArray activation) {
        NDArray out = intervention.targets(name) ? intervention.apply(name, activation) : activation;
        if (wanted.test(name)) {
            activations.put(name, out);
        }
        return out;
    }

    /** Whether the pass must compute {@code name}: an optional activation (hook_result) is made only when asked for. */
    boolean needs(String name) {
        return wanted.test(name) || intervention.targets(name);
    }

    boolean intervenes(String name) {
        return intervention.targets(name);
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
