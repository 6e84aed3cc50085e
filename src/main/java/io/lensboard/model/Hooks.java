package io.lensboard.model;

/**
 * TransformerLens's activation names, made here and nowhere else, so that a name in the cache, the API
 * or the UI is the one a notebook uses ({@code model.run_with_cache(...)[name]}). Blocks l are 0-based.
 */
public final class Hooks {
    private Hooks() {}

    /** hook_embed: the token embeddings e = W_E[ids]. */
    public static String embed() {
        return "hook_embed";
    }

    /** hook_pos_embed: GPT-2's learned positions W_pos[p]. */
    public static String posEmbed() {
        return "hook_pos_embed";
    }

    /** The residual stream entering block l. */
    public static String residPre(int l) {
        return block(l, "hook_resid_pre");
    }

    /** Block l's attention output, before it is added to the residual stream. */
    public static String attnOut(int l) {
        return block(l, "hook_attn_out");
    }

    /** The residual stream between block l's attention and its MLP. */
    public static String residMid(int l) {
        return block(l, "hook_resid_mid");
    }

    /** Block l's MLP output, before it is added to the residual stream. */
    public static String mlpOut(int l) {
        return block(l, "hook_mlp_out");
    }

    /** The residual stream leaving block l. */
    public static String residPost(int l) {
        return block(l, "hook_resid_post");
    }

    /** Block l's keys [batch, kv heads, position, d_head], after RoPE where the model has it. */
    public static String k(int l) {
        return block(l, "attn.hook_k");
    }

    /** Block l's values [batch, kv heads, position, d_head]. */
    public static String v(int l) {
        return block(l, "attn.hook_v");
    }

    /** Block l's attention pattern [batch, heads, query, key]: the softmax probabilities, row = query. */
    public static String pattern(int l) {
        return block(l, "attn.hook_pattern");
    }

    /**
     * Block l's per-head outputs [batch, position, heads, d_model]: head h's z_h · W_O[h] (W_O[h] the head's d_head
     * rows of the output projection). hook_attn_out = Σ_h hook_result[h] + b_O.
     */
    public static String result(int l) {
        return block(l, "attn.hook_result");
    }

    /** Head h of block l's hook_result, as a component name (ablation, attribution). */
    public static String result(int l, int h) {
        return result(l) + "." + h;
    }

    /** Block l's output projection bias b_O (a parameter, named as TransformerLens names it). */
    public static String bO(int l) {
        return block(l, "attn.b_O");
    }

    /** The final norm's output, what the unembedding reads. */
    public static String lnFinal() {
        return "ln_final.hook_normalized";
    }

    /** The component names an ablation accepts, as an error message lists them. */
    public static final String COMPONENT_FORMS =
            "blocks.{l}.hook_mlp_out, blocks.{l}.hook_attn_out or blocks.{l}.attn.hook_result.{h}";

    private static final java.util.regex.Pattern COMPONENT = java.util.regex.Pattern.compile(
            "blocks\\.(0|[1-9][0-9]{0,5})\\.(hook_mlp_out|hook_attn_out|attn\\.hook_result\\.(0|[1-9][0-9]{0,5}))");

    /**
     * A whole block output or one head that can be removed from the residual stream: {@code hook} is the activation the
     * forward pass changes (hook_mlp_out, hook_attn_out, or hook_result for a head, whose slice {@code head} it is;
     * head -1 otherwise), {@code name} the component's own name.
     */
    public record Component(String name, String hook, int layer, int head) {
        /** Fails, naming this component and the model's range, when its block or head is past a model's. */
        public void check(int nLayers, int nHeads) {
            if (layer >= nLayers) {
                throw new IllegalArgumentException(name + ": block " + layer + " is past the model's blocks 0.." + (nLayers - 1));
            }
            if (head >= nHeads) {
                throw new IllegalArgumentException(name + ": head " + head + " is past the model's heads 0.." + (nHeads - 1));
            }
        }
    }

    /** Parses a component name ({@link #COMPONENT_FORMS}); an IllegalArgumentException names it and the valid forms. */
    public static Component component(String name) {
        java.util.regex.Matcher m = COMPONENT.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown component '" + (name.length() > 60 ? name.substring(0, 60) + "…" : name)
                    + "': use " + COMPONENT_FORMS + " (0-based blocks and heads)");
        }
        int l = Integer.parseInt(m.group(1));
        return switch (m.group(2)) {
            case "hook_mlp_out" -> new Component(name, mlpOut(l), l, -1);
            case "hook_attn_out" -> new Component(name, attnOut(l), l, -1);
            default -> new Component(name, result(l), l, Integer.parseInt(m.group(3)));
        };
    }

    /** Whether {@code name} is one of the residual streams: resid_pre, resid_mid or resid_post of some block. */
    public static boolean isResidual(String name) {
        return name.startsWith("blocks.") && name.contains(".hook_resid_");
    }

    /** Whether {@code name} is some block's keys or values. */
    public static boolean isKeyOrValue(String name) {
        return name.startsWith("blocks.") && (name.endsWith(".attn.hook_k") || name.endsWith(".attn.hook_v"));
    }

    private static String block(int l, String hook) {
        return "blocks." + l + "." + hook;
    }
}
