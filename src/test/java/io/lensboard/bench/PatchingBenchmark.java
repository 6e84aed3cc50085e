package io.lensboard.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.lensboard.analysis.ActivationPatching;
import io.lensboard.analysis.ActivationPatching.Request;
import io.lensboard.analysis.ActivationPatching.Site;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Activation patching on gpt2-small-config:untrained (GPT-2 small's shape) at 32 tokens: cells per second of the
 * batched grid (one pass per layer from the corrupted resid_pre, as the run kind computes it) against one whole
 * forward pass per cell from the embeddings. The prompts are two seeded random token sequences that differ at every
 * position, so no cell is skipped as unchanged and both sides compute every cell. The baseline times a sample of
 * cells (every layer, {@link #SAMPLE} columns each, timed right after that layer's batched row) since timing all
 * of them one pass at a time takes many minutes.
 * Writes a Markdown report (default target/benchmarks/patching.md). Run: ./mvnw -Pbench-patching verify
 */
public final class PatchingBenchmark {
    static final int TOKENS = 32;
    static final int SAMPLE = 2;

    public static void main(String[] args) throws IOException {
        Path fixtures = Path.of(System.getProperty("shared.fixtures", "../shared/fixtures"));
        Path report = Path.of(args.length > 0 ? args[0] : "target/benchmarks/patching.md");
        StringBuilder out = new StringBuilder("# Activation patching benchmark: gpt2-small-config:untrained, " + TOKENS + " tokens, CPU\n\n");
        out.append("- ").append(LocalDate.now(ZoneOffset.UTC)).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.arch")).append(", Java ").append(System.getProperty("java.version"))
                .append(", PyTorch ").append(Engine.getEngine("PyTorch").getVersion()).append("\n\n");
        out.append("| site | cells | batched, s | batched cells/s | one forward per cell, cells/s | speed-up |\n|---|---:|---:|---:|---:|---:|\n");
        try (LoadedModel m = ModelLoader.load("gpt2-small-config:untrained", fixtures.resolve("gpt2-small-config"), 0L, Device.cpu())) {
            Random random = new Random(24);
            long[] clean = random.longs(TOKENS, 0, m.config().vocabSize()).toArray();
            long[] corrupted = random.longs(TOKENS, 0, m.config().vocabSize()).toArray();
            int[] layers = IntStream.range(0, m.config().nLayers()).toArray();
            for (Site site : new Site[] {Site.RESID_PRE, Site.HEAD}) {
                Request r = new Request(clean, corrupted, 11, 13, site, layers);
                try (ActivationPatching p = new ActivationPatching(m, r)) {
                    p.unbatchedCell(0, 0); // warm-up
                    // each layer's batched row, then its sample of single passes: on a shared machine both see the same load
                    double batched = 0;
                    double plain = 0;
                    int cells = 0;
                    int sampled = 0;
                    for (int i = 0; i < layers.length; i++) {
                        long t0 = System.nanoTime();
                        cells += p.next().metric().length;
                        long t1 = System.nanoTime();
                        for (int k = 0; k < SAMPLE; k++) {
                            p.unbatchedCell(i, k * p.columns() / SAMPLE);
                            sampled++;
                        }
                        batched += (t1 - t0) / 1e9;
                        plain += (System.nanoTime() - t1) / 1e9;
                    }
                    double plainRate = sampled / plain;
                    double rate = cells / batched;
                    out.append(String.format("| %s | %d | %.1f | %.2f | %.3f | %.1f× |%n", site.id(), cells, batched, rate, plainRate, rate / plainRate));
                    System.out.printf("%s: %d cells in %.1f s batched (%.2f/s); one forward per cell %.3f/s%n", site.id(), cells, batched, rate, plainRate);
                }
            }
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, out);
        System.out.println(out);
    }
}
