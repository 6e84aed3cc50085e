package io.lensboard.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.lensboard.analysis.ExhaustiveSearch;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.FeatureAscent;
import io.lensboard.analysis.FeatureSlice;
import io.lensboard.analysis.GreedySearch;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feature visualisation on CPU for block 1 of gpt2-small-config:untrained (GPT-2 small's shape): exhaustive
 * single-token search throughput in tokens per second by batch size, greedy search in candidates per second,
 * and gradient-ascent steps per second. Writes a Markdown report (default target/benchmarks/features.md).
 * Run: ./mvnw -Pbench-features verify
 */
public final class FeatureBenchmark {

    public static void main(String[] args) throws IOException {
        Path fixtures = Path.of(System.getProperty("shared.fixtures", "../shared/fixtures"));
        Path report = Path.of(args.length > 0 ? args[0] : "target/benchmarks/features.md");
        StringBuilder out = new StringBuilder("# Feature visualisation benchmark: block 1 of gpt2-small-config:untrained on CPU\n\n");
        out.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.arch")).append(", Java ").append(System.getProperty("java.version"))
                .append(", PyTorch ").append(Engine.getEngine("PyTorch").getVersion()).append("\n");
        Feature feature = new Feature(1, FeatureSlice.parse("[:, :, 500]"));
        try (LoadedModel m = ModelLoader.load("gpt2-small-config:untrained", fixtures.resolve("gpt2-small-config"), 0L, Device.cpu())) {
            out.append(String.format("- feature %s, vocabulary %,d tokens%n%n", feature.slice().text(), m.config().vocabSize()));
            out.append("## Exhaustive single-token search\n\n| batch | whole vocabulary, s | tokens/s |\n|---:|---:|---:|\n");
            for (int batch : new int[] {256, 1024, 4096}) {
                exhaustive(m, feature, batch); // warm-up pass
                long t0 = System.nanoTime();
                String best = exhaustive(m, feature, batch);
                double s = (System.nanoTime() - t0) / 1e9;
                out.append(String.format("| %d | %.2f | %,.0f |%n", batch, s, m.config().vocabSize() / s));
                System.out.printf("exhaustive, batch %d: %.2f s, best %s%n", batch, s, best);
            }

            out.append("\n## Greedy search, batch 2048\n\n| tokens | s | candidates/s |\n|---:|---:|---:|\n");
            for (int tokens : new int[] {3, 8}) {
                try (GreedySearch greedy = new GreedySearch(m, feature, Feature.Read.LAST, tokens, 2048)) {
                    long t0 = System.nanoTime();
                    while (!greedy.finished()) {
                        greedy.next();
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    out.append(String.format("| %d | %.1f | %,.0f |%n", tokens, s, greedy.candidatesTotal() / s));
                    System.out.printf("greedy, %d tokens: %.1f s%n", tokens, s);
                }
            }

            int steps = 50;
            for (FeatureAscent.Input input : FeatureAscent.Input.values()) {
                try (FeatureAscent a = new FeatureAscent(m, new FeatureAscent.Params(input, feature, 4, FeatureAscent.Objective.MEAN,
                        100, Optimizer.ADAM, 0.01, steps, 0, 1, 5, 10))) {
                    a.step();
                    long t1 = System.nanoTime();
                    for (int i = 1; i < steps; i++) {
                        a.step();
                    }
                    double perSecond = (steps - 1) / ((System.nanoTime() - t1) / 1e9);
                    out.append(String.format("%n- gradient ascent (%s, 4 tokens, Adam): %.1f steps/s%n", input, perSecond));
                }
            }
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, out);
        System.out.println(out);
    }

    private static String exhaustive(LoadedModel m, Feature feature, int batch) {
        ExhaustiveSearch search = new ExhaustiveSearch(m, feature, batch);
        while (!search.finished()) {
            search.next();
        }
        return search.top(1).toString();
    }
}
