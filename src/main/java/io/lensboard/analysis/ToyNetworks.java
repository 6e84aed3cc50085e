package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** The write-up's toy networks, their weights drawn from a seed (sentence representation, "toy networks"). */
final class ToyNetworks {
    private ToyNetworks() {}

    /** A toy on T tokens of width d whose weights live in {@code manager}; the engine's generator is seeded first. */
    static TargetNetwork build(Network network, long tokens, long d, long seed, DataType type, NDManager manager) {
        Engine.getInstance().setRandomSeed((int) seed);
        long in = tokens * d;
        return switch (network) {
            case FCNET -> fcnet(Linear.init(in, 4 * in, type, manager), Linear.init(4 * in, 4 * in, type, manager));
            case FCNET_NONINVERTIBLE -> fcnet(Linear.init(in, 4 * in, type, manager), Linear.init(4 * in, in, type, manager));
            case MLP -> mlp(Linear.init(d, 4 * d, type, manager), Linear.init(4 * d, d, type, manager));
            case TRANSFORMER -> throw new IllegalArgumentException("the transformer is the model, not a toy");
        };
    }

    /** O(e) = W_2 GELU(W_1 flatten(e) + b_1) + b_2 on the T embeddings flattened to [1, T·d]. */
    private static TargetNetwork fcnet(Linear first, Linear last) {
        return e -> last.apply(Linear.gelu(first.apply(e.reshape(1, -1))));
    }

    /** Per token: O(e)_t = W_2 GELU(W_1 e_t + b_1) + b_2; no residual, no norm. */
    private static TargetNetwork mlp(Linear up, Linear down) {
        return e -> down.apply(Linear.gelu(up.apply(e)));
    }
}
