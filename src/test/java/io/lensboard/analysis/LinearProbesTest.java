package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.corpora.Corpora;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Linear probes for the input token on stories260K's own text, directly on the model. */
class LinearProbesTest {

    @Test
    void embeddingProbeRecoversTheInputToken() {
        try (LoadedModel m = ModelLoader.load("stories260K", Fixtures.path("stories260K/hf"), null, Device.cpu())) {
            CorpusChunks corpus = CorpusChunks.cut(m.tokenizer(), "tinystories-sampled", Corpora.builtIn(), 128, 4096, Integer.MAX_VALUE);
            List<String> hooks = List.of(Hooks.residPre(0), Hooks.residMid(2), Hooks.residPost(4));
            try (LinearProbes probes = new LinearProbes(m, corpus, new LinearProbes.Params(hooks, 10, 0.01, 0, false))) {
                while (!probes.finished()) {
                    LinearProbes.Step s = probes.step();
                    System.out.printf("probe %d epoch %d loss %.4f%n", s.probe(), s.epoch(), s.loss());
                }
                for (int i = 0; i < hooks.size(); i++) {
                    LinearProbes.Scores sc = probes.scores(i);
                    System.out.printf("%s: acc %.4f top5 %.4f cos %.4f baseline %.4f mass %s%n", hooks.get(i), sc.accuracy(), sc.accuracyTop5(),
                            sc.cosineToEmbedding(), sc.cosineBaseline(), Arrays.toString(Arrays.copyOf(sc.pcaMass(), 5)));
                    assertEquals(64, sc.pcaMass().length);
                    assertEquals(1, Arrays.stream(sc.pcaMass()).sum(), 1e-4, "the shares of ‖W‖² add up to 1");
                }
                LinearProbes.Scores embed = probes.scores(0);
                assertTrue(embed.accuracy() > 0.95, "layer 0 (the embeddings) gives back the input token: " + embed.accuracy());
                assertTrue(embed.cosineToEmbedding() > embed.cosineBaseline() + 0.1, embed.toString());
            }
        }
    }
}
