package io.lensboard.web.lens;

import io.lensboard.analysis.Ablation;
import io.lensboard.model.Hooks;
import io.lensboard.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The lens page's "ablate…" control: a checkbox per block's hook_attn_out, hook_mlp_out and head (hook_result.h), the
 * current ablation's ticked; {@code blocks} empty where the model's config is not known yet (a hub model not
 * downloaded), when the page offers a text field instead.
 */
public record AblationForm(List<Block> blocks, Ablation current) {

    /** A component's checkbox. */
    public record Choice(String name, int index, boolean checked) {}

    public record Block(int layer, Choice attn, Choice mlp, List<Choice> heads) {}

    public static AblationForm of(ModelConfig config, Ablation current) {
        List<Block> blocks = new ArrayList<>();
        if (config != null) {
            for (int l = 0; l < config.nLayers(); l++) {
                int layer = l;
                List<Choice> heads = IntStream.range(0, config.nHeads())
                        .mapToObj(h -> choice(Hooks.result(layer, h), h, current)).toList();
                blocks.add(new Block(l, choice(Hooks.attnOut(l), -1, current), choice(Hooks.mlpOut(l), -1, current), heads));
            }
        }
        return new AblationForm(blocks, current);
    }

    private static Choice choice(String name, int index, Ablation current) {
        return new Choice(name, index, current.components().contains(name));
    }

    /** Whether the page lists the components (the config is known). */
    public boolean listed() {
        return !blocks.isEmpty();
    }

    /** The form's several {@code ablate} values (checkboxes) as the one comma-separated parameter. */
    static String joined(List<String> values) {
        return values == null ? null : String.join(",", values.stream().filter(v -> !v.isBlank()).toList());
    }
}
