package io.lensboard.model.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.checkpoint.HubClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelPoolTest {

    private static ModelPool pool(DeviceThread device, long budget) {
        return new ModelPool(new ModelCatalog(List.of(Fixtures.root()),
                new HubClient(java.net.URI.create("http://127.0.0.1:9"), Fixtures.root(), Optional.empty())), device, budget);
    }

    @Test
    void reportsWeightReadingTensorByTensorWithoutGoingBack() throws Exception {
        List<ModelPool.Status> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        ModelCatalog catalog = new ModelCatalog(List.of(Fixtures.root()),
                new HubClient(java.net.URI.create("http://127.0.0.1:9"), Fixtures.root(), Optional.empty()));
        try (DeviceThread device = new DeviceThread(Device.cpu());
             ModelPool pool = new ModelPool(catalog, device, Long.MAX_VALUE, seen::add)) {
            LoadedModel m = pool.load("gpt2-tiny").get(60, TimeUnit.SECONDS);
            int tensors = m.config().parameterTensors();
            assertEquals(m.bytes(), m.config().parameterBytes(), "the config's byte count is what the model holds");
            // A local model has nothing to download: reading its weights runs the bar from 0 to 1.
            List<ModelPool.Status> reading = seen.stream().filter(s -> s.detail().startsWith("reading weights:")).toList();
            assertEquals(tensors, reading.size(), "one report per tensor: " + seen);
            assertTrue(reading.stream().anyMatch(s -> s.progress() > 0 && s.progress() < 1
                    && s.detail().matches("reading weights: \\d+ of " + tensors + " tensors \\(.+ of .+\\)")), "intermediate: " + seen);
            assertEquals("reading weights: " + tensors + " of " + tensors + " tensors", reading.get(tensors - 1).detail().replaceAll(" \\(.*", ""));
            assertEquals(1.0, reading.get(tensors - 1).progress(), 1e-12, "all bytes read");
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i).progress() >= seen.get(i - 1).progress(), "never goes back: " + seen);
            }
            assertEquals(ModelPool.State.LOADED, pool.status("gpt2-tiny").orElseThrow().state());
        }
    }

    @Test
    void concurrentFirstRequestsShareOneLoad() throws Exception {
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device, Long.MAX_VALUE)) {
            ExecutorService callers = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<LoadedModel>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(callers.submit(() -> {
                    start.await();
                    return pool.load("gpt2-tiny:untrained:3").get();
                }));
            }
            start.countDown();
            LoadedModel first = results.get(0).get(60, TimeUnit.SECONDS);
            for (Future<LoadedModel> r : results) {
                assertSame(first, r.get(60, TimeUnit.SECONDS), "one load, one model");
            }
            assertEquals(ModelPool.State.LOADED, pool.status("gpt2-tiny:untrained:3").orElseThrow().state());
            callers.shutdown();
        }
    }

    @Test
    void evictsLeastRecentlyUsedIdleModelOverBudget() throws Exception {
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device, 1)) {
            pool.run("gpt2-tiny", m -> 0).get();
            pool.run("llama-tiny", m -> 0).get();
            assertTrue(pool.status("gpt2-tiny").isEmpty(), "the older model was evicted");
            assertEquals(ModelPool.State.LOADED, pool.status("llama-tiny").orElseThrow().state(), "the newest stays");
            assertEquals(4, pool.run("gpt2-tiny", m -> m.config().nLayers()).get(), "an evicted model loads again");
        }
    }

    @Test
    void neverEvictsAModelInUse() throws Exception {
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device, 1)) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Integer> busy = pool.run("gpt2-tiny", m -> {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                try (ai.djl.ndarray.NDManager s = m.newScope()) {
                    return m.transformer().tokenEmbedding(s).getShape().size() > 0 ? 1 : 0; // weights still readable
                }
            });
            assertTrue(inside.await(60, TimeUnit.SECONDS));
            pool.load("llama-tiny").get(60, TimeUnit.SECONDS);
            assertEquals(ModelPool.State.LOADED, pool.status("gpt2-tiny").orElseThrow().state(), "leased, so kept");
            release.countDown();
            assertEquals(1, busy.get(60, TimeUnit.SECONDS));
            assertEquals(1, pool.loaded().size(), "back within budget once released");
        }
    }

    @Test
    void failedLoadIsReportedAndCanBeRetried() {
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device, Long.MAX_VALUE)) {
            CompletableFuture<LoadedModel> first = pool.load("gpt2-small-config");
            assertThrows(Exception.class, first::get);
            ModelPool.Status failed = pool.status("gpt2-small-config").orElseThrow();
            assertEquals(ModelPool.State.FAILED, failed.state());
            assertTrue(failed.detail().contains("no model.safetensors"), failed.detail());
            // A retry is a new load, not the failed one handed out again; it fails the same way and is reported again.
            CompletableFuture<LoadedModel> retry = pool.load("gpt2-small-config");
            assertNotSame(first, retry, "a retry starts a new load");
            ExecutionException again = assertThrows(ExecutionException.class, () -> retry.get(60, TimeUnit.SECONDS));
            assertTrue(ModelPool.message(again).contains("no model.safetensors"), ModelPool.message(again));
            assertEquals(ModelPool.State.FAILED, pool.status("gpt2-small-config").orElseThrow().state());
            assertThrows(UnknownModelException.class, () -> pool.load("nope"));
        }
    }
}
