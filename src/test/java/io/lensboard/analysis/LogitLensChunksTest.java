package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lens decodes every row the same whichever GEMM chunk holds it. gpt2-tiny at 128 tokens has [128 x 50,257] logits
 * per row, so the 5 rows without sub-block rows fit one chunk of 128 MiB while the 9 rows with them take two (the input,
 * output and three more rows, then the other four): the integer layers of both must agree. (The goldens, at up to 24
 * tokens, fit one chunk.)
 */
class LogitLensChunksTest {

    @Test
    void decodesTheSameRowsWhateverTheChunk() {
        Fixtures.path("gpt2-tiny");
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.path("gpt2-tiny"), null, Device.cpu())) {
            String prompt = "the" + " the".repeat(127);
            List<LensResult.Layer> streamed = new ArrayList<>();
            LensResult withSub = LogitLens.run(m, new LogitLens.Request(prompt, 3, true), streamed::add);
            LensResult plain = LogitLens.run(m, new LogitLens.Request(prompt, 3, false), layer -> {});
            assertEquals(128, plain.tokens().size());
            assertEquals(withSub.layers(), streamed, "rows streamed in order across chunks");
            List<LensResult.Layer> integerLayers = withSub.layers().stream().filter(l -> l.layer() instanceof Integer).toList();
            assertEquals(plain.layers().size(), integerLayers.size());
            for (int l = 0; l < plain.layers().size(); l++) {
                for (int i = 0; i < 128; i++) {
                    LensResult.Position a = plain.layers().get(l).positions().get(i);
                    LensResult.Position b = integerLayers.get(l).positions().get(i);
                    String where = "layer " + l + " position " + i;
                    assertEquals(a.top().get(0).id(), b.top().get(0).id(), "top-1 at " + where);
                    assertEquals(a.top().get(0).prob(), b.top().get(0).prob(), 1e-5, "top-1 probability at " + where);
                    assertEquals(a.entropy(), b.entropy(), 1e-4 * Math.max(1, a.entropy()), "entropy at " + where);
                    assertEquals(a.klFinal(), b.klFinal(), 1e-4 * Math.max(1, a.klFinal()), "kl_final at " + where);
                    assertEquals(a.klInput(), b.klInput(), 1e-4 * Math.max(1, a.klInput()), "kl_input at " + where);
                    assertEquals(a.rankInputToken(), b.rankInputToken(), "rank of the input token at " + where);
                }
            }
        }
    }
}
