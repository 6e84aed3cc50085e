package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.Hooks;
import io.lensboard.model.TunedLensWeights;
import java.util.HashMap;
import java.util.Map;

/**
 * A tuned lens's translators on the device, for one request: the residual stream h of layer l becomes
 * h + A_l h + b_l before the final norm and the unembedding (Belrose et al. 2023, eq. 5); layer 0 is the
 * embeddings ({@code blocks.0.hook_resid_pre}), layer l the stream after block l. The output layer (and any
 * hook without a translator) passes through: it is the model's own output. No translators: the logit lens.
 */
final class Translators {
    private static final Translators NONE = new Translators(Map.of(), Map.of());

    private final Map<String, NDArray> transposed; // A_l^T [d, d], by the hook of layer l, so that h A_l^T is A_l h
    private final Map<String, NDArray> biases;

    private Translators(Map<String, NDArray> transposed, Map<String, NDArray> biases) {
        this.transposed = transposed;
        this.biases = biases;
    }

    /** The logit lens's: every hook as it is. */
    static Translators none() {
        return NONE;
    }

    /** Uploads {@code lens} into {@code scope} (closed with the request). */
    static Translators of(TunedLensWeights lens, NDManager scope) {
        Map<String, NDArray> a = new HashMap<>();
        Map<String, NDArray> b = new HashMap<>();
        int d = lens.dModel();
        for (int l = 0; l < lens.layers(); l++) {
            String hook = l == 0 ? Hooks.residPre(0) : Hooks.residPost(l - 1);
            a.put(hook, scope.create(lens.weights().get(l), new Shape(d, d)).transpose());
            if (lens.biases().get(l) != null) {
                b.put(hook, scope.create(lens.biases().get(l), new Shape(d)));
            }
        }
        return new Translators(a, b);
    }

    /**
     * h + A_l h + b_l for the layer read at {@code hook}, attached to {@code into} (its temporaries closed at once);
     * h itself where there is no translator.
     */
    NDArray apply(String hook, NDArray h, NDManager into) {
        NDArray a = transposed.get(hook);
        if (a == null) {
            return h;
        }
        NDArray ah = h.matMul(a);
        NDArray out = h.add(ah);
        ah.close();
        NDArray b = biases.get(hook);
        if (b != null) {
            NDArray shifted = out.add(b);
            out.close();
            out = shifted;
        }
        out.attach(into);
        return out;
    }
}
