package io.lensboard.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.model.pool.ModelPool;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The README's promise: same kind, model, dtype, parameters and seed give bit-identical events and result, whatever
 * runs around them. Here twins of four kinds on three models (a ViT, the hybrid vit-tiny+gpt2-tiny, GPT-2, a Llama)
 * are queued interleaved, under a 20 MB budget that cannot hold gpt2-tiny and the hybrid at once, so models are evicted
 * and reloaded between a run and its twin, while a thread keeps the garbage collector busy (issue 23's NaN came from
 * a collection freeing memory a backward pass still read); each pair must match to the bit, and nothing may be
 * non-finite.
 */
@QuarkusTest
@TestProfile(IdenticalRunsTest.SmallBudget.class)
class IdenticalRunsTest {
    /** Its own application with a memory budget that forces evictions. */
    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.data-dir", "./target/test-data-identical", "lensboard.pool.memory-budget", "20M",
                    "lensboard.runs.queue-limit", "16");
        }
    }

    @Inject
    RunService runs;

    @Inject
    ModelPool pool;

    private final ObjectMapper json = new ObjectMapper();

    /** Kind, model and parameters of each pair. */
    private record Spec(String kind, String model, Map<String, Object> params) {}

    private static final List<Spec> SPECS = List.of(
            new Spec("image-reconstruction", "vit-tiny", Map.of("layer", 2, "loss", "l1", "optimizer", "adam", "lr", 0.05,
                    "steps", 30, "start", "noise", "seed", 0, "target", "image:builtin:shapes")),
            new Spec("image-ascent", "vit-tiny+gpt2-tiny", Map.of("layer", 2, "feature", "[:, :, 7]", "steps", 20, "seed", 3)),
            new Spec("reconstruction", "stories260K", Map.of("prompt", "Once upon a time", "blocks", 3, "steps", 30, "seed", 1)),
            new Spec("ascent", "gpt2-tiny", Map.of("layer", 2, "feature", "[:, :, 7]", "steps", 30, "seed", 7)));

    @Test
    void twinsInterleavedWithEvictionsAreBitIdentical() throws Exception {
        Fixtures.root();
        AtomicBoolean stop = new AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                byte[][] garbage = new byte[64][];
                for (int i = 0; i < garbage.length; i++) {
                    garbage[i] = new byte[1 << 14];
                }
                System.gc();
                try {
                    Thread.sleep(100); // frequent collections, without taking a core from the runs
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "busy-collector");
        collector.setDaemon(true);
        collector.start();
        try {
            twinsMatch();
        } finally {
            stop.set(true);
            collector.join();
        }
    }

    private void twinsMatch() throws InterruptedException {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (Spec s : SPECS) {
            first.add(submit(s));
        }
        for (int i = SPECS.size() - 1; i >= 0; i--) { // the twins in the other order
            second.add(0, submit(SPECS.get(i)));
        }
        for (int i = 0; i < SPECS.size(); i++) {
            RunRecord a = await(first.get(i));
            RunRecord b = await(second.get(i));
            String what = SPECS.get(i).kind() + " on " + SPECS.get(i).model();
            assertEquals(RunState.DONE, a.state(), what + ": " + a.error());
            assertEquals(RunState.DONE, b.state(), what + ": " + b.error());
            List<String> ea = data(first.get(i));
            List<String> eb = data(second.get(i));
            assertTrue(ea.size() > 3, what + " emitted its steps");
            assertEquals(ea, eb, what + ": the twins' events");
            assertEquals(a.result().toString(), b.result().toString(), what + ": the twins' results");
            assertFalse(ea.stream().anyMatch(e -> e.contains("NaN") || e.contains("Infinity")), what + ": non-finite: " + ea);
        }
        assertTrue(pool.loaded().size() < SPECS.size(), "the budget evicted models: " + pool.loaded().stream().map(m -> m.id()).toList());
    }

    private String submit(Spec s) {
        return runs.submit(s.kind(), s.model(), json.valueToTree(s.params())).id();
    }

    private RunRecord await(String id) throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            RunRecord r = runs.find(id);
            if (r.state().finished()) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("run " + id + " did not finish in 5 minutes");
    }

    /** Each event's type and data, in order: what a viewer sees, without the sequence numbers. */
    private List<String> data(String id) {
        return runs.events(id, 0).stream().map(e -> e.type() + " " + e.data()).toList();
    }
}
