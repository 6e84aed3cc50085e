package io.lensboard.web.lens;

import io.lensboard.analysis.Ablation;

/** The lens's ablation parameters as the API documents them and as links write them (issue 24 item 4). */
public final class Ablations {
    public static final String ABLATE = "components to remove from the pass the lens decodes, comma-separated:"
            + " blocks.{l}.hook_mlp_out, blocks.{l}.hook_attn_out, blocks.{l}.attn.hook_result.{h} (0-based)";
    public static final String MODE = "zero (default): replace each by zeros; mean: by its mean over the prompt's positions"
            + " in the unablated pass (per head for hook_result)";

    private Ablations() {}

    /** {@code &ablate=…[&ablation=mean]} ({@code suffix} after the names: "" or a compare side's "_a", "_b"), or "" for none. */
    public static String param(Ablation a, String suffix) {
        if (!a.ablates()) {
            return "";
        }
        return "&ablate" + suffix + "=" + LensLinks.enc(a.ablate()) + (a.mode().equals(Ablation.ZERO) ? "" : "&ablation" + suffix + "=" + a.mode());
    }
}
