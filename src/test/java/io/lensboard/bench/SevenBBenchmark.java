package io.lensboard.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.lensboard.analysis.LensResult;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.Dtype;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * A 7B-shaped model in bfloat16 on this machine: llama-7b-shape:untrained (Llama-2-7B's dimensions with GPT-2's
 * vocabulary, 6.9e9 parameters, 13.8 GB in bfloat16) initialised, then a 16-token logit lens. Writes load time,
 * resident memory (RSS, and its peak) and lens time to a Markdown report (default target/benchmarks/7b.md).
 * Needs about 17 GB free. Run: ./mvnw -Pbench-7b verify (-Dbench.model=llama-tiny runs the same steps on a small
 * fixture, to check the bench itself in seconds).
 */
public final class SevenBBenchmark {
    public static void main(String[] args) throws IOException {
        Path fixtures = Path.of(System.getProperty("shared.fixtures", "../shared/fixtures"));
        Path report = Path.of(args.length > 0 ? args[0] : "target/benchmarks/7b.md");
        String model = System.getProperty("bench.model", "llama-7b-shape");
        StringBuilder out = new StringBuilder("# " + model + ":untrained in bfloat16 on CPU\n\n");
        out.append("- ").append(LocalDate.now()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.arch")).append(", Java ").append(System.getProperty("java.version"))
                .append(", PyTorch ").append(Engine.getEngine("PyTorch").getVersion()).append(", heap -Xmx")
                .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB\n");
        long t0 = System.nanoTime();
        try (LoadedModel m = ModelLoader.load(model + ":untrained", fixtures.resolve(model), 0L, Dtype.BFLOAT16,
                Device.cpu(), (name, done, total, bytesDone, bytesTotal) -> {
                    if (done % 32 == 0 || done == total) {
                        System.out.printf("initialised %d of %d tensors, RSS %d MiB%n", done, total, kib("VmRSS") >> 10);
                    }
                })) {
            double load = (System.nanoTime() - t0) / 1e9;
            long rssLoaded = kib("VmRSS") >> 10;
            out.append(String.format("- untrained initialisation (%,d parameters, %.2f GB held): %.1f s; RSS after: %,d MiB%n",
                    m.config().parameterBytes() / 4, m.bytes() / 1e9, load, rssLoaded));
            System.out.println(out);
            String prompt = "the" + " the".repeat(15);
            for (int run = 1; run <= Integer.getInteger("bench.lens.runs", 1); run++) {
                long t1 = System.nanoTime();
                LensResult r = LogitLens.run(m, new LogitLens.Request(prompt, 5, false), layer -> {});
                double lens = (System.nanoTime() - t1) / 1e9;
                if (r.tokens().size() != 16) {
                    throw new IllegalStateException("prompt is " + r.tokens().size() + " tokens, wanted 16");
                }
                out.append(String.format("- logit lens, 16 tokens, %d layers decoded, run %d: %.1f s; RSS after: %,d MiB%n",
                        r.layers().size(), run, lens, kib("VmRSS") >> 10));
                System.out.println(out);
            }
            out.append(String.format("- peak RSS: %,d MiB%n", kib("VmHWM") >> 10));
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, out);
        System.out.println("report written to " + report);
    }

    /** A line of /proc/self/status in KiB: VmRSS (resident now), VmHWM (resident at its peak). */
    private static long kib(String field) {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(field + ":"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
