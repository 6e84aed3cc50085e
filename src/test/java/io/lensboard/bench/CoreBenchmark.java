package io.lensboard.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.analysis.InputReconstruction;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.pool.ModelLoader;
import io.lensboard.model.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The core's speed and memory on CPU for gpt2-small-config:untrained (GPT-2 small's shape): the engine's sgemm rate,
 * logit-lens latency at 8, 32, 128 and 512 tokens against its FLOP floor at that rate, one forward+backward step at
 * 8, 32 and 128 tokens, then resident memory over 1,000 forward+backward steps. Writes a Markdown report (default
 * target/benchmarks/core.md). Run: ./mvnw -Pbench-core verify   (or see README).
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
            double rate = sgemmRate(m);
            out.append(String.format("- sgemm through the engine ([%d x %d] x [%d x %d] float32): %.0f GFLOP/s%n%n",
                    SGEMM_ROWS, m.config().dModel(), m.config().dModel(), m.config().vocabSize(), rate / 1e9));
            System.out.printf("sgemm: %.0f GFLOP/s%n", rate / 1e9);
            out.append("The floor is the lens's FLOPs at the sgemm rate measured just before that row (so that a machine whose\n"
                    + "speed drifts during the run is compared with itself): the unembedding GEMM of (L + 1) x T rows plus the forward.\n\n");
            out.append("| tokens | logit lens, median ms | sgemm GFLOP/s | floor ms | ratio | forward+backward step, median ms |\n"
                    + "|---:|---:|---:|---:|---:|---:|\n");
            for (int tokens : new int[] {8, 32, 128, 512}) {
                long[] ids = ids(m, tokens);
                String prompt = prompt(tokens);
                double rowRate = sgemmRate(m);
                double lens = median(() -> LogitLens.run(m, new LogitLens.Request(prompt, 5, false), layer -> {}));
                double floor = lensFlops(m.config(), tokens) / rowRate * 1e3;
                String step = tokens > 128 ? "" : String.format("%.1f", median(() -> step(m, ids)));
                out.append(String.format("| %d | %.1f | %.0f | %.1f | %.2f | %s |%n", tokens, lens, rowRate / 1e9, floor, lens / floor, step));
                System.out.printf("%d tokens: lens %.1f ms, floor %.1f ms (%.2fx), step %s ms%n", tokens, lens, floor, lens / floor, step);
            }

            out.append(String.format("%n- input reconstruction (block 1 + LM head, \"The sky is blue.\", Adam): %.1f steps/s%n",
                    reconstructionStepsPerSecond(m)));

            out.append("\n## Resident memory over ").append(memorySteps).append(" forward+backward steps (8 tokens)\n\n");
            out.append("| step | RSS MiB |\n|---:|---:|\n");
            long[] ids = ids(m, 8);
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

    private static final int SGEMM_ROWS = 1024;

    private static String prompt(int tokens) {
        return "the" + " the".repeat(tokens - 1);
    }

    private static long[] ids(LoadedModel m, int tokens) {
        long[] ids = m.tokenizer().encode(prompt(tokens));
        if (ids.length != tokens) {
            throw new IllegalStateException("prompt is " + ids.length + " tokens, wanted " + tokens);
        }
        return ids;
    }

    /**
     * FLOP/s of a float32 matrix product through DJL shaped like the lens's unembedding, [1024 x d] x [d x V]
     * (median of 5 after 2 warm-ups).
     */
    private static double sgemmRate(LoadedModel m) {
        long d = m.config().dModel();
        long v = m.config().vocabSize();
        try (NDManager scope = m.newScope()) {
            NDArray a = scope.randomNormal(0f, 1f, new Shape(SGEMM_ROWS, d), DataType.FLOAT32);
            NDArray b = scope.randomNormal(0f, 1f, new Shape(d, v), DataType.FLOAT32);
            double ms = median(() -> {
                try (NDManager product = scope.newSubManager()) {
                    NDArray c = a.matMul(b);
                    c.attach(product);
                    c.get(0, 0).getFloat(); // wait for the product
                }
            });
            return 2.0 * SGEMM_ROWS * d * v / (ms / 1e3);
        }
    }

    /**
     * The lens's FLOPs at T tokens: the unembedding GEMM, 2 (L + 1) T d V, plus the forward through L blocks:
     * per token and block 2 (d (q + 2 kv) + q d) for the projections (q = heads x d_head, kv = kv heads x d_head),
     * 2 (2 or 3) d d_mlp for the MLP (GPT-2's two matrices, Llama's three) and 4 T q for attention's scores and values.
     */
    static double lensFlops(ModelConfig c, int t) {
        double d = c.dModel();
        double q = (double) c.nHeads() * c.dHead();
        double kv = (double) c.nKvHeads() * c.dHead();
        int mlpMatrices = c.architecture() == ModelConfig.Architecture.LLAMA ? 3 : 2;
        double perTokenBlock = 2 * (d * (q + 2 * kv) + q * d) + 2.0 * mlpMatrices * d * c.dMlp() + 4.0 * t * q;
        return 2.0 * (c.nLayers() + 1) * t * d * c.vocabSize() + (double) c.nLayers() * t * perTokenBlock;
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
