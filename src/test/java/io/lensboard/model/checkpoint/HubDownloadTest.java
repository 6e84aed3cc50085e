package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.model.pool.DeviceThread;
import io.lensboard.model.pool.ModelCatalog;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import io.lensboard.model.pool.UnknownModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hub downloads against {@link FakeHub}, which serves ../shared/fixtures in the hub's URL layout. */
class HubDownloadTest {

    @TempDir
    Path cache;

    @Test
    void downloadsIntoTheHubCacheAndResumesAnInterruptedDownload() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            hub.dropFirstDownloadOf("model.safetensors");
            AtomicLong lastDone = new AtomicLong();
            HubClient client = new HubClient(hub.endpoint(), cache, Optional.empty());

            Path dir = client.snapshot("lensboard/gpt2-tiny", "main", true, (file, done, total) -> {
                if (file.equals("model.safetensors")) {
                    lastDone.set(done);
                }
            });

            Path original = Fixtures.dir("gpt2-tiny").resolve("model.safetensors");
            assertEquals(-1, Files.mismatch(original, dir.resolve("model.safetensors")), "weights arrive intact");
            assertEquals(-1, Files.mismatch(Fixtures.dir("gpt2-tiny").resolve("config.json"), dir.resolve("config.json")));
            assertEquals(Files.size(original), lastDone.get(), "progress reaches the file's size");

            List<FakeHub.Request> gets = hub.requests.stream()
                    .filter(r -> r.method().equals("GET") && r.file().equals("model.safetensors")).toList();
            assertEquals(2, gets.size(), "one dropped download, one resumed");
            assertTrue(gets.get(1).range() != null && gets.get(1).range().matches("bytes=[1-9]\\d*-"),
                    "the second request resumes with a Range header: " + gets.get(1).range());

            Path repo = cache.resolve("models--lensboard--gpt2-tiny");
            assertEquals(repo.resolve("snapshots").resolve(FakeHub.COMMIT), dir, "snapshot named by the commit");
            assertEquals(FakeHub.COMMIT, Files.readString(repo.resolve("refs/main")));
            assertTrue(Files.isSymbolicLink(dir.resolve("model.safetensors")), "snapshot files link to blobs");
            try (var blobs = Files.list(repo.resolve("blobs"))) {
                assertTrue(blobs.noneMatch(b -> b.toString().endsWith(".incomplete")), "no partial file left");
            }

            hub.close();
            assertEquals(dir, client.snapshot("lensboard/gpt2-tiny", "main", true, (f, d, t) -> {}),
                    "offline, the cached snapshot serves");
        }
    }

    /**
     * A download that stops receiving without closing is dropped after the stall time and resumed where it was;
     * without that, it would wait for the stalled connection for ever (hence the timeout).
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void resumesADownloadThatStalls() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            hub.stallFirstDownloadOf("model.safetensors");
            HubClient client = new HubClient(hub.endpoint(), cache, Optional.empty(), java.time.Duration.ofSeconds(1));
            Path dir = client.snapshot("lensboard/gpt2-tiny", "main", true, (f, d, t) -> {});
            assertEquals(-1, Files.mismatch(Fixtures.dir("gpt2-tiny").resolve("model.safetensors"), dir.resolve("model.safetensors")));
            List<FakeHub.Request> gets = hub.requests.stream()
                    .filter(r -> r.method().equals("GET") && r.file().equals("model.safetensors")).toList();
            assertEquals(2, gets.size(), "the stalled download and its resumption");
            assertTrue(gets.get(1).range() != null, "resumed with a Range header");
        }
    }

    @Test
    void loadsAHubModelThroughThePoolAndItsUntrainedTwinWithoutWeights() throws Exception {
        try (FakeHub hub = new FakeHub(Fixtures.root());
             DeviceThread device = new DeviceThread(Device.cpu());
             ModelPool pool = new ModelPool(new ModelCatalog(List.of(), new HubClient(hub.endpoint(), cache, Optional.of("secret"))),
                     device, Long.MAX_VALUE)) {
            assertEquals(4, pool.run("hf:lensboard/gpt2-tiny", m -> m.config().nLayers()).get());
            assertTrue(hub.requests.stream().allMatch(r -> "Bearer secret".equals(r.authorization())), "HF_TOKEN is sent");

            hub.requests.clear();
            assertEquals(3, pool.run("hf:lensboard/llama-tiny@main:untrained:7", m -> m.config().nLayers()).get());
            assertTrue(hub.requests.stream().noneMatch(r -> r.file().endsWith(".safetensors")), "a twin needs no weights");

            CompletionException missing = assertThrows(CompletionException.class, () -> pool.run("hf:lensboard/nope", m -> 0).join());
            assertTrue(missing.getCause() instanceof UnknownModelException, missing.toString());
        }
    }

    @Test
    void saysTheHubCannotBeReachedAndHowToWorkOffline() throws IOException {
        FakeHub stopped = new FakeHub(Fixtures.root());
        stopped.close();
        HubClient client = new HubClient(stopped.endpoint(), cache, Optional.empty());
        IOException e = assertThrows(IOException.class, () -> client.snapshot("lensboard/gpt2-tiny", "main", true, (f, d, t) -> {}));
        assertTrue(e.getMessage().contains("cannot reach the Hugging Face hub") && e.getMessage().contains("LENSBOARD_MODELS_DIRS"), e.getMessage());
    }

    @Test
    void loadsAGgufFileFromTheHubAndReadsItsIdParts() throws Exception {
        ModelRef ref = ModelRef.parse("hf:ggml-org/models/tinyllamas/stories260K.gguf@v1:untrained:3");
        assertEquals("ggml-org/models", ref.hubRepo());
        assertEquals("tinyllamas/stories260K.gguf", ref.hubFile());
        assertEquals("v1", ref.hubRevision());
        assertEquals(3L, ref.untrainedSeed());
        assertEquals(null, ModelRef.parse("hf:openai-community/gpt2").hubFile());
        try (FakeHub hub = new FakeHub(Fixtures.root());
             DeviceThread device = new DeviceThread(Device.cpu());
             ModelPool pool = new ModelPool(new ModelCatalog(List.of(), new HubClient(hub.endpoint(), cache, Optional.empty())),
                     device, Long.MAX_VALUE)) {
            assertEquals(512, pool.run("hf:lensboard/stories260K/stories260K.gguf", m -> m.config().vocabSize()).get());
            assertTrue(hub.requests.stream().anyMatch(r -> r.file().equals("stories260K.gguf")), hub.requests.toString());
            assertTrue(Files.exists(cache.resolve("models--lensboard--stories260K/snapshots/" + FakeHub.COMMIT + "/stories260K.gguf")),
                    "the file lies in the hub cache's layout");
            assertEquals(5, pool.run("hf:lensboard/stories260K/stories260K.gguf:untrained", m -> m.config().nLayers()).get());
        }
    }

    /** The default catalog offers hub models; offline, using one says the hub cannot be reached and how to use local files. */
    @Test
    void defaultCatalogOffersHubModelsAndExplainsWhenOffline() throws IOException {
        FakeHub stopped = new FakeHub(Fixtures.root());
        stopped.close();
        try (DeviceThread device = new DeviceThread(Device.cpu());
             ModelPool pool = new ModelPool(new ModelCatalog(List.of(), new HubClient(stopped.endpoint(), cache, Optional.empty()),
                     ModelCatalog.DEFAULT_HUB), device, Long.MAX_VALUE)) {
            assertTrue(pool.catalog().suggested().containsAll(List.of("hf:openai-community/gpt2", "hf:openai-community/gpt2-xl",
                    "hf:ggml-org/models/tinyllamas/stories260K.gguf")));
            CompletionException e = assertThrows(CompletionException.class,
                    () -> pool.run("hf:ggml-org/models/tinyllamas/stories260K.gguf", m -> 0).join());
            String message = ModelPool.message(e);
            assertTrue(message.contains("cannot reach the Hugging Face hub") && message.contains("LENSBOARD_MODELS_DIRS"), message);
        }
    }
}
