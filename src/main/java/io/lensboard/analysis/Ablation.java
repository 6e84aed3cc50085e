package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.Intervention;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Components removed from a forward pass (issue 24 item 4): each {@code blocks.{l}.hook_mlp_out},
 * {@code blocks.{l}.hook_attn_out} or head {@code blocks.{l}.attn.hook_result.{h}} replaced by zeros ({@code zero}) or
 * by its mean over the prompt's positions ({@code mean}, per head for a head), everything downstream computed from
 * the replacement. The mean is the clean (unablated) pass's, as TransformerLens's usual mean ablation over the same
 * prompt: ablating two components takes each one's mean as the model computes it untouched, so the order of the
 * components never matters. {@code components} are canonical names, sorted by block and kind, without repeats, so
 * that the same ablation written two ways is one cache key.
 */
public record Ablation(List<String> components, String mode) {
    public static final String ZERO = "zero";
    public static final String MEAN = "mean";
    /** Every component of a model is at most L * (H + 2); a longer list is refused before it is parsed. */
    public static final int MAX_COMPONENTS = 512;
    public static final Ablation NONE = new Ablation(List.of(), ZERO);

    public Ablation {
        components = List.copyOf(components);
    }

    /**
     * The ablation a request's {@code ablate} (comma-separated component names; empty: none) and {@code ablation}
     * ({@code zero}, the default, or {@code mean}) ask for; an {@link InvalidInputException} names what to change.
     */
    public static Ablation parse(String ablate, String ablation) {
        String mode = ablation == null || ablation.isBlank() ? ZERO : ablation.trim();
        if (!mode.equals(ZERO) && !mode.equals(MEAN)) {
            throw new InvalidInputException("ablation must be zero or mean, got '"
                    + (mode.length() > 30 ? mode.substring(0, 30) + "…" : mode) + "'");
        }
        if (ablate == null || ablate.isBlank()) {
            return NONE; // nothing removed is the plain lens whatever the mode: one cache key
        }
        String[] names = ablate.split(",", MAX_COMPONENTS + 2);
        if (names.length > MAX_COMPONENTS) {
            throw new InvalidInputException("ablate names more than " + MAX_COMPONENTS + " components: name fewer");
        }
        Set<Hooks.Component> parsed = new LinkedHashSet<>();
        for (String name : names) {
            try {
                parsed.add(Hooks.component(name.trim()));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("ablate: " + e.getMessage());
            }
        }
        List<String> sorted = parsed.stream()
                .sorted(Comparator.comparingInt(Hooks.Component::layer).thenComparing(Hooks.Component::hook)
                        .thenComparingInt(Hooks.Component::head))
                .map(Hooks.Component::name).distinct().toList();
        return new Ablation(sorted, mode);
    }

    /** The stored form {@code mode:component,…} ({@link #text}); null or empty: none. */
    public static Ablation fromText(String text) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        int colon = text.indexOf(':');
        return parse(text.substring(colon + 1), text.substring(0, colon));
    }

    /** Whether anything is removed: no components is the plain pass, whatever the mode. */
    public boolean ablates() {
        return !components.isEmpty();
    }

    /** The components as the {@code ablate} parameter writes them. */
    public String ablate() {
        return String.join(",", components);
    }

    /** {@code mode:component,…} for storage, or "" for none. */
    public String text() {
        return ablates() ? mode + ":" + ablate() : "";
    }

    /** Fails with an {@link InvalidInputException} naming a component whose block or head is past the model's. */
    public void check(ModelConfig config) {
        for (String name : components) {
            try {
                Hooks.component(name).check(config.nLayers(), config.nHeads());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("ablate: " + e.getMessage() + " (valid: " + Hooks.COMPONENT_FORMS + ")");
            }
        }
    }

    /**
     * The intervention that removes the components from a pass of {@code tf} on {@code embeds} [1, T, d_model] through
     * {@code blocks} blocks. Mean ablation first runs the clean pass to take each component's mean over positions;
     * the means live in {@code scope}. Runs on the model's device thread.
     */
    public Intervention intervention(Transformer tf, NDArray embeds, int blocks, NDManager scope) {
        if (!ablates()) {
            return Intervention.NONE;
        }
        Map<String, List<Hooks.Component>> byHook = new HashMap<>();
        for (String name : components) {
            Hooks.Component c = Hooks.component(name);
            byHook.computeIfAbsent(c.hook(), h -> new ArrayList<>()).add(c);
        }
        Map<String, NDArray> means = mode.equals(MEAN) ? means(tf, embeds, blocks, byHook.keySet(), scope) : Map.of();
        return new Intervention() {
            @Override
            public boolean targets(String hook) {
                return byHook.containsKey(hook);
            }

            @Override
            public NDArray apply(String hook, NDArray activation) {
                return replace(activation, byHook.get(hook), means.get(hook), tf.config().nHeads());
            }
        };
    }

    /** Each hook's mean over positions from the clean pass: [1, 1, d_model], or [1, 1, heads, d_model] for hook_result. */
    private static Map<String, NDArray> means(Transformer tf, NDArray embeds, int blocks, Set<String> hooks, NDManager scope) {
        Map<String, NDArray> means = new HashMap<>();
        try (NDManager clean = scope.newSubManager()) {
            NDArray e = embeds.duplicate();
            e.attach(clean); // the clean pass's intermediates belong to e's manager, closed here
            ActivationCache cache = ActivationCache.of(hooks::contains);
            tf.forward(e, Forward.residualAfter(blocks), cache);
            for (String hook : hooks) {
                NDArray mean = cache.get(hook).mean(new int[] {1}, true);
                mean.attach(scope);
                means.put(hook, mean);
            }
        }
        return means;
    }

    /**
     * The activation with the components replaced: a whole output by zeros or its mean; heads of hook_result
     * [B, T, heads, d_model] by a 0/1 mask over heads, so that the other heads' slices stay exactly as computed.
     */
    private static NDArray replace(NDArray activation, List<Hooks.Component> removed, NDArray mean, int heads) {
        boolean whole = removed.stream().anyMatch(c -> c.head() < 0);
        if (whole) {
            NDArray zeros = activation.zerosLike();
            return mean == null ? zeros : zeros.add(mean);
        }
        float[] keep = new float[heads];
        Arrays.fill(keep, 1f);
        removed.forEach(c -> keep[c.head()] = 0f);
        NDManager m = activation.getManager();
        NDArray keepMask = m.create(keep, new Shape(1, 1, heads, 1)).toType(activation.getDataType(), false);
        NDArray kept = activation.mul(keepMask);
        return mean == null ? kept : kept.add(keepMask.mul(-1).add(1).mul(mean)); // mask first: the result is the activation's manager's
    }
}
