package io.lensboard.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.lensboard.analysis.InputReconstruction;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import io.lensboard.model.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The core's speed and memory on CPU for gpt2-small-config:untrained (GPT-2 small's shape):
 * logit-lens latency and one forward+backward step at 8, 32 and 128 tokens, then resident memory
 * over 1,000 forward+backward steps. Writes a Markdown report (default target/benchmarks/core.md).
 * Run: ./mvnw -Pbench-core verify   (or see README).
 */
public final class CoreBenchmark {
    private static final int WARMUP = 2;
    private static final int REPEATS = 5;

    public static void main(String[] args) throws IOException {
        Path fixtures = Path.of(System.getProperty("shared.fixtures", "../shared/fixtures"));
        Path report = Path.of(args.length > 0 ? args[0] : "target/benchmarks/core.md");
        int memorySteps = Integer.getInteger("bench.memory.steps", 1000);
        StringBuilder out = new StringBuilder("# Core benchmark: gpt2-small-config:untrained on CPU\n\n");
        out.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.arch")).append(", Java ").append(System.getProperty("java.version"))
                .append(", PyTorch ").append(Engine.getEngine("PyTorch").getVersion()).append("\n");

        long t0 = System.nanoTime();
        try (LoadedModel m = ModelLoader.load("gpt2-small-config:untrained", fixtures.resolve("gpt2-small-config"), 0L, Device.cpu())) {
            out.append(String.format("- load (random init of %,d parameters): %.1f s%n%n", m.bytes() / 4, seconds(t0)));
            out.append("| tokens | logit lens, median ms | forward+backward step, median ms |\n|---:|---:|---:|\n");
            for (int tokens : new int[] {8, 32, 128}) {
                String prompt = "the" + " the".repeat(tokens - 1);
                long[] ids = m.tokenizer().encode(prompt);
                if (ids.length != tokens) {
                    throw new IllegalStateException("prompt is " + ids.length + " tokens, wanted " + tokens);
                }
                double lens = median(() -> LogitLens.run(m, new LogitLens.Request(prompt, 5, false), layer -> {}));
                double step = median(() -> step(m, ids));
                out.append(String.format("| %d | %.1f | %.1f |%n", tokens, lens, step));
                System.out.printf("%d tokens: lens %.1f ms, step %.1f ms%n", tokens, lens, step);
            }

            out.append(String.format("%n- input reconstruction (block 1 + LM head, \"The sky is blue.\", Adam): %.1f steps/s%n",
                    reconstructionStepsPerSecond(m)));

            out.append("\n## Resident memory over ").append(memorySteps).append(" forward+backward steps (8 tokens)\n\n");
            out.append("| step | RSS MiB |\n|---:|---:|\n");
            long[] ids = m.tokenizer().encode("the" + " the".repeat(7));
            // The first few hundred steps warm up (JIT, allocator arenas); a leak keeps growing after them.
            int half = memorySteps / 2;
            long atHalf = 0;
            long last = 0;
            for (int s = 1; s <= memorySteps; s++) {
                step(m, ids);
                if (s % 100 == 0 || s == 10) {
                    long rss = rssMiB();
                    atHalf = s == half ? rss : atHalf;
                    last = rss;
                    out.append("| ").append(s).append(" | ").append(rss).append(" |\n");
                    System.out.println("step " + s + ": RSS " + rss + " MiB");
                }
            }
            long growth = last - atHalf;
            out.append(String.format("%nGrowth from step %d to step %d: %d MiB (%s: flat means under 32 MiB).%n",
                    half, memorySteps, growth, growth < 32 ? "FLAT" : "GROWING"));
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, out);
        System.out.println("report written to " + report);
    }

    /** One forward+backward step: next-token cross-entropy through the full model, gradient to the input embeddings. */
    private static void step(LoadedModel m, long[] ids) {
        Transformer tf = m.transformer();
        try (NDManager scope = m.newScope()) {
            NDArray e = tf.embed(scope.create(ids).reshape(1, ids.length));
            e.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = tf.forward(e, Forward.full(m.config()), ActivationCache.none());
                NDArray targets = scope.create(Arrays.copyOfRange(ids, 1, ids.length)).reshape(1, ids.length - 1, 1);
                NDArray loss = logits.get(":, :-1, :").logSoftmax(-1).gather(targets, 2).mean().neg();
                gc.backward(loss);
            }
            e.getGradient().sum().getFloat(); // wait for the backward pass to finish
        }
    }

    /** The reconstruction setup: 20 warm-up steps, then 100 timed. */
    private static double reconstructionStepsPerSecond(LoadedModel m) {
        var params = new InputReconstruction.Params("The sky is blue.", 1, false, true, InputReconstruction.Loss.L1,
                InputReconstruction.Optimizer.ADAM, 0.01, 120, 0, 5, 10, 0.5, 0.05, 1, 0);
        try (InputReconstruction r = new InputReconstruction(m, params)) {
            for (int i = 0; i < 20; i++) {
                r.step();
            }
            long t = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                r.step();
            }
            double rate = 100 / ((System.nanoTime() - t) / 1e9);
            System.out.printf("reconstruction: %.1f steps/s%n", rate);
            return rate;
        }
    }

    private static double median(Runnable work) {
        for (int i = 0; i < WARMUP; i++) {
            work.run();
        }
        double[] ms = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long t = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[REPEATS / 2];
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static long rssMiB() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(-1L);
    }
}
