package io.lensboard.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.model.Gpt2;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Weights;
import io.lensboard.model.checkpoint.SafetensorsWeights;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Loading speed from the page cache (not in CI). Writes a GPT-2-shaped safetensors checkpoint of about 1 GB in
 * target/ (GPT-2 XL's width 1600 and vocabulary, 6 blocks: 266M float32 parameters), reads it once to warm the page
 * cache, then builds a {@link Gpt2} from it: through memory-mapped pieces (the path every checkpoint takes) and, for
 * comparison, through one Java heap array per tensor ({@link Weights#get}, the path before), and times the engine
 * copying as many bytes already in memory (fresh memory's page faults and one copy: the ceiling for a load that does
 * not keep the file mapped). Reports GB/s of float32 parameters, best of three, into a Markdown file (default
 * target/benchmarks/load.md).
 * Run: {@code ./mvnw -Pbench-weights verify}.
 */
public final class WeightLoadBenchmark {
    private static final int D = 1600;
    private static final int LAYERS = 6;
    private static final int VOCAB = 50257;
    private static final int CONTEXT = 1024;
    private static final int RUNS = 3;

    public static void main(String[] args) throws IOException {
        Path report = Path.of(args.length > 0 ? args[0] : "target/benchmarks/load.md");
        Path dir = Path.of(args.length > 1 ? args[1] : "target/load-benchmark-model");
        Path file = write(dir);
        long size = Files.size(file);
        warm(file);
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));

        Rate mapped = new Rate();
        Rate heap = new Rate();
        Rate ceiling = new Rate();
        long bytes = 0;
        for (int run = 0; run < RUNS; run++) {
            SafetensorsWeights weights = SafetensorsWeights.open(dir);
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                Clock clock = new Clock();
                bytes = new Gpt2(config, weights, manager).parameterBytes();
                mapped.add(bytes, clock);
            }
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                Clock clock = new Clock();
                new Gpt2(config, throughHeapArrays(weights), manager);
                heap.add(bytes, clock);
            }
            try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                 NDArray source = manager.ones(new Shape(bytes / 4))) {
                Clock clock = new Clock();
                source.duplicate();
                ceiling.add(bytes, clock);
            }
            System.out.printf("run %d: memory-mapped %s, heap arrays %s, in-memory copy %s%n", run + 1, mapped, heap, ceiling);
        }

        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
        String text = "# Load benchmark: a 1 GB safetensors checkpoint from the page cache\n\n"
                + "- " + LocalDate.now() + ", " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + ", PyTorch " + Engine.getEngine("PyTorch").getVersion()
                + ", load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + " at the end\n"
                + String.format("- checkpoint: %s, %,d bytes; GPT-2 of width %d, %d blocks, %,d float32 parameters (%.2f GB)%n",
                        file.getFileName(), size, D, LAYERS, bytes / 4, bytes / 1e9)
                + "- time: building the Gpt2 (every tensor into native memory on the CPU), best of " + RUNS + "\n\n"
                + "- GB/s by the wall clock, and by the process's CPU time (user + system, all threads): on a busy machine the"
                + " wall clock counts time spent waiting for a core, so GB per CPU-second is what the load itself costs\n\n"
                + "| path | GB/s (wall) | GB per CPU-second |\n|---|---:|---:|\n"
                + "| memory-mapped pieces (FileChannel.map, one copy into the engine's memory) | " + mapped + " |\n"
                + "| Java heap arrays (float[] per tensor, then DJL's direct buffer) | " + heap + " |\n"
                + "| the engine's own copy of as many bytes already in memory (the ceiling for any copying load) | " + ceiling + " |\n"
                + (System.getenv("THP_MEM_ALLOC_ENABLE") != null ? "\n- with THP_MEM_ALLOC_ENABLE=" + System.getenv("THP_MEM_ALLOC_ENABLE")
                        + " (PyTorch's allocator asks for transparent huge pages)\n" : "");
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, text);
        System.out.print(text);
    }

    /** Wall-clock and process CPU time since it was made. */
    private static final class Clock {
        private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final long wall = System.nanoTime();
        private final long cpu = OS.getProcessCpuTime();

        double wallSeconds() {
            return (System.nanoTime() - wall) / 1e9;
        }

        double cpuSeconds() {
            return (OS.getProcessCpuTime() - cpu) / 1e9;
        }
    }

    /** The best GB/s so far by the wall clock and by CPU time. */
    private static final class Rate {
        private double wall;
        private double cpu;

        void add(long bytes, Clock clock) {
            double w = clock.wallSeconds();
            double c = clock.cpuSeconds();
            wall = Math.max(wall, bytes / w / 1e9);
            cpu = Math.max(cpu, bytes / c / 1e9);
        }

        @Override
        public String toString() {
            return String.format("%.2f | %.2f", wall, cpu);
        }
    }

    /** {@code weights} with only {@link Weights#get}, so every tensor goes through a heap array. */
    private static Weights throughHeapArrays(Weights weights) {
        return new Weights() {
            @Override
            public float[] get(String name, Init init, long... shape) {
                return weights.get(name, init, shape);
            }

            @Override
            public String describe() {
                return weights.describe();
            }
        };
    }

    /** config.json and model.safetensors of GPT-2's tensor names (tied head), filled with seeded noise; kept if present. */
    private static Path write(Path dir) throws IOException {
        Path file = dir.resolve("model.safetensors");
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode().put("model_type", "gpt2").put("vocab_size", VOCAB).put("n_positions", CONTEXT)
                .put("n_embd", D).put("n_layer", LAYERS).put("n_head", 25).put("tie_word_embeddings", true);
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(config));

        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("wte.weight", new long[] {VOCAB, D});
        shapes.put("wpe.weight", new long[] {CONTEXT, D});
        for (int l = 0; l < LAYERS; l++) {
            String h = "h." + l + ".";
            shapes.put(h + "ln_1.weight", new long[] {D});
            shapes.put(h + "ln_1.bias", new long[] {D});
            shapes.put(h + "attn.c_attn.weight", new long[] {D, 3 * D});
            shapes.put(h + "attn.c_attn.bias", new long[] {3 * D});
            shapes.put(h + "attn.c_proj.weight", new long[] {D, D});
            shapes.put(h + "attn.c_proj.bias", new long[] {D});
            shapes.put(h + "ln_2.weight", new long[] {D});
            shapes.put(h + "ln_2.bias", new long[] {D});
            shapes.put(h + "mlp.c_fc.weight", new long[] {D, 4 * D});
            shapes.put(h + "mlp.c_fc.bias", new long[] {4 * D});
            shapes.put(h + "mlp.c_proj.weight", new long[] {4 * D, D});
            shapes.put(h + "mlp.c_proj.bias", new long[] {D});
        }
        shapes.put("ln_f.weight", new long[] {D});
        shapes.put("ln_f.bias", new long[] {D});

        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 4L * e.getValue()[0] * (e.getValue().length > 1 ? e.getValue()[1] : 1);
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            t.putPOJO("shape", e.getValue());
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer noise = ByteBuffer.allocateDirect(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(0);
        while (noise.hasRemaining()) {
            noise.putFloat((float) random.nextGaussian() * 0.02f);
        }
        Path partial = dir.resolve("model.safetensors.partial");
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
            out.write(ByteBuffer.wrap(h));
            for (long left = offset; left > 0; left -= noise.limit()) {
                noise.clear().limit((int) Math.min(noise.capacity(), left));
                while (noise.hasRemaining()) {
                    out.write(noise);
                }
            }
        }
        return Files.move(partial, file);
    }

    /** Reads the file once, so the timed loads come from the page cache. */
    private static void warm(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(16 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) > 0) {
                buf.flip();
            }
        }
    }
}
