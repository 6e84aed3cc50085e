package io.lensboard.bench;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.runs.RunState;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The stress harness of "identical runs are identical" (not in the regular suite: {@code ./mvnw -Pbench-stress verify},
 * report in target/benchmarks/stress.md). Every spec below first runs alone, nothing else in the application; then,
 * for {@code stress.rounds} rounds, two copies of every spec are queued in a shuffled order together with runs that are
 * cancelled part-way, while {@code stress.lens-clients} clients request the lens on other models and dtypes back to
 * back, all under a 20 MB memory budget that holds one or two of the models, so models are evicted and reloaded
 * throughout. Each finished copy's events (type and data, in order) and result must equal its lone run's to the
 * byte, and no event may carry a non-finite number. Tensor-ownership checks are on (surefire sets them).
 */
@QuarkusTest
@TestProfile(StressBench.SmallBudget.class)
class StressBench {
    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.data-dir", "./target/stress-data", "lensboard.pool.memory-budget", "20M",
                    "lensboard.runs.queue-limit", "256");
        }
    }

    @Inject
    RunService runs;

    private final ObjectMapper json = new ObjectMapper();

    private record Spec(String kind, String model, String dtype, Map<String, Object> params) {
        String name() {
            return kind + " on " + model + (dtype != null ? " in " + dtype : "");
        }
    }

    /** Every kind family on every fixture model family: a ViT, the hybrid, GPT-2 (float32 and bfloat16), a Llama. */
    private static final List<Spec> SPECS = List.of(
            new Spec("image-reconstruction", "vit-tiny", null, Map.of("layer", 2, "loss", "l1", "optimizer", "adam",
                    "lr", 0.05, "steps", 40, "start", "noise", "seed", 0, "target", "image:builtin:shapes")),
            new Spec("image-ascent", "vit-tiny+gpt2-tiny", null, Map.of("layer", 2, "feature", "[:, :, 7]", "steps", 25, "seed", 3)),
            new Spec("image-ascent", "vit-tiny", null, Map.of("layer", 1, "feature", "[:, 3, :]", "steps", 25, "seed", 5,
                    "jitter", 2, "blur_sigma", 0.5)),
            new Spec("reconstruction", "stories260K", null, Map.of("prompt", "Once upon a time", "blocks", 3, "steps", 40, "seed", 1)),
            new Spec("reconstruction", "gpt2-tiny", null, Map.of("prompt", "The sky is blue.", "blocks", 2, "steps", 30,
                    "precision", "float64", "seed", 2)),
            new Spec("ascent", "gpt2-tiny", null, Map.of("layer", 2, "feature", "[:, :, 7]", "steps", 50, "seed", 7)),
            new Spec("ascent", "gpt2-tiny", "bfloat16", Map.of("layer", 1, "feature", "[:, :, 3]", "steps", 30, "seed", 8)),
            new Spec("softmax-prior", "stories260K", null, Map.of("layer", 2, "feature", "[:, :, 5]", "steps", 30, "seed", 9)),
            new Spec("orthogonal-walk", "llama-tiny", null, Map.of("prompt", "The sky is", "steps", 10, "seed", 4)),
            new Spec("greedy", "stories260K", null, Map.of("layer", 1, "feature", "[:, :, 2]", "tokens", 2)));

    /** The lens clients' requests: models and dtypes the runs do not all use, so that they compete for the budget. */
    private static final List<Map<String, String>> LENS = List.of(
            Map.of("model", "llama-tiny", "prompt", "Once upon a time"),
            Map.of("model", "gpt2-tiny", "dtype", "float16", "prompt", "The sky is"),
            Map.of("model", "stories260K", "prompt", "Lily went to the park"),
            Map.of("model", "gpt2-tiny:untrained:5", "prompt", "Hello world"));

    @Test
    void identicalRunsStayIdenticalUnderStress() throws Exception {
        Fixtures.root();
        int rounds = Integer.getInteger("stress.rounds", 3);
        int lensClients = Integer.getInteger("stress.lens-clients", 2);
        Instant began = Instant.now();

        Map<Spec, List<String>> alone = new LinkedHashMap<>();
        int nonFinite = 0;
        for (Spec s : SPECS) {
            String id = submit(s);
            RunRecord r = await(id);
            assertEquals(RunState.DONE, r.state(), s.name() + " alone: " + r.error());
            alone.put(s, record(id));
            nonFinite += nonFinite(alone.get(s));
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger lensRequests = new AtomicInteger();
        AtomicInteger lensFailures = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(Math.max(1, lensClients));
        for (int c = 0; c < lensClients; c++) {
            int first = c;
            clients.submit(() -> {
                for (int i = first; !stop.get(); i++) {
                    Map<String, String> q = LENS.get(i % LENS.size());
                    int status = given().queryParams(q).get("/api/lens").statusCode();
                    lensRequests.incrementAndGet();
                    if (status != 200) {
                        lensFailures.incrementAndGet();
                    }
                }
            });
        }

        Random order = new Random(11);
        int runsChecked = 0;
        int cancelled = 0;
        List<String> mismatches = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                List<Spec> batch = new ArrayList<>(SPECS);
                batch.addAll(SPECS);
                Collections.shuffle(batch, order);
                List<String> ids = new ArrayList<>();
                List<String> victims = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    ids.add(submit(batch.get(i)));
                    if (i % 7 == 3) { // a long run, cancelled while queued or running
                        victims.add(runs.submit("reconstruction", "gpt2-tiny", json.valueToTree(
                                Map.of("prompt", "cancel me", "steps", 100000))).id());
                    }
                }
                for (String v : victims) {
                    Thread.sleep(order.nextInt(400));
                    runs.cancel(v);
                }
                for (int i = 0; i < ids.size(); i++) {
                    Spec s = batch.get(i);
                    RunRecord r = await(ids.get(i));
                    runsChecked++;
                    if (r.state() != RunState.DONE) {
                        failures.add(s.name() + ": " + r.state().key() + " " + r.error());
                        continue;
                    }
                    List<String> seen = record(ids.get(i));
                    nonFinite += nonFinite(seen);
                    if (!seen.equals(alone.get(s))) {
                        mismatches.add(s.name() + " (run " + ids.get(i) + "): " + firstDifference(alone.get(s), seen));
                    }
                }
                for (String v : victims) {
                    cancelled += await(v).state() == RunState.CANCELLED ? 1 : 0;
                }
            }
        } finally {
            stop.set(true);
            clients.shutdown();
            clients.awaitTermination(60, TimeUnit.SECONDS);
        }
        Duration took = Duration.between(began, Instant.now());
        String report = "# Stress harness, " + LocalDate.now() + "\n\n"
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " CPU cores, budget 20 MB, " + rounds + " rounds\n\n"
                + "| measure | value |\n|---|---|\n"
                + "| specs (each run alone first) | " + SPECS.size() + " |\n"
                + "| runs compared with their lone run | " + runsChecked + " |\n"
                + "| runs cancelled part-way | " + cancelled + " |\n"
                + "| lens requests meanwhile (failed) | " + lensRequests.get() + " (" + lensFailures.get() + ") |\n"
                + "| duration | " + took.toSeconds() + " s |\n"
                + "| non-finite values in events | " + nonFinite + " |\n"
                + "| runs not done | " + failures.size() + " |\n"
                + "| mismatches | " + mismatches.size() + " |\n"
                + (failures.isEmpty() && mismatches.isEmpty() ? "" : "\n" + String.join("\n", failures) + "\n" + String.join("\n", mismatches) + "\n");
        Path out = Path.of(System.getProperty("stress.report", "target/benchmarks/stress.md"));
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        assertEquals(List.of(), failures, "every run finished done");
        assertEquals(List.of(), mismatches, "every run bit-identical to its lone run");
        assertEquals(0, nonFinite, "no non-finite value in any event");
        assertEquals(0, lensFailures.get(), "every lens request answered");
    }

    private String submit(Spec s) {
        return runs.submit(s.kind(), s.model(), s.dtype(), json.valueToTree(s.params())).id();
    }

    private RunRecord await(String id) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            RunRecord r = runs.find(id);
            if (r.state().finished()) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("run " + id + " did not finish in 10 minutes");
    }

    /** The run's events after it started (type and data, in order) and its result: what must not depend on company. */
    private List<String> record(String id) {
        List<String> out = new ArrayList<>(runs.events(id, 0).stream().map(e -> e.type() + " " + e.data()).toList());
        out.add("result " + runs.find(id).result());
        return out;
    }

    private static int nonFinite(List<String> events) {
        return (int) events.stream().filter(e -> e.contains("NaN") || e.contains("Infinity")).count();
    }

    private static String firstDifference(List<String> want, List<String> got) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            if (!want.get(i).equals(got.get(i))) {
                return "event " + i + ": alone " + abbreviate(want.get(i)) + " / here " + abbreviate(got.get(i));
            }
        }
        return want.size() + " events alone, " + got.size() + " here";
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
