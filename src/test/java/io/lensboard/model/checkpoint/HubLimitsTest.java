package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26 item 4: hub downloads are capped per file and per model, time out on a hub that stalls, and a download
 * that fails or passes a cap midway leaves no partial model in the cache. Against {@link FakeHub} serving the
 * gpt2-tiny fixture: config.json 333 bytes, tokenizer.json 1,505,922, model.safetensors 13,703,720.
 */
class HubLimitsTest {
    private static final HubClient.Progress QUIET = (file, done, total) -> {};
    private static final String REPO = "lensboard/gpt2-tiny";

    @TempDir
    Path cache;

    private HubClient client(FakeHub hub, long maxFile, long maxTotal, Duration read) {
        return new HubClient(hub.endpoint(), cache, Optional.empty(), new HubLimits(maxFile, maxTotal, Duration.ofSeconds(2), read));
    }

    /** Every file and link under the cache (directories aside). */
    private List<Path> files() throws IOException {
        try (Stream<Path> all = Files.walk(cache)) {
            return all.filter(p -> !Files.isDirectory(p)).toList();
        }
    }

    private boolean repoDirExists() {
        return Files.exists(cache.resolve("models--lensboard--gpt2-tiny"));
    }

    @Test
    void refusesAFileDeclaredOverTheCapBeforeDownloadingItAndLeavesNoPartialModel() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> client(hub, 4_000_000, 1L << 40, Duration.ofSeconds(30)).snapshot(REPO, "main", true, QUIET));
            assertTrue(e.getMessage().contains("model.safetensors of lensboard/gpt2-tiny is 13703720 bytes, over the file limit of 4000000 bytes"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("LENSBOARD_HUB_MAX_FILE_BYTES"), e.getMessage());
            assertEquals(0, hub.requests.stream().filter(r -> r.method().equals("GET") && r.file().equals("model.safetensors")).count(),
                    "the weights are never asked for");
            assertEquals(List.of(), files(), "config.json and tokenizer.json, downloaded by the failed call, are removed too");
            assertFalse(repoDirExists());
        }
    }

    /** Sizes the hub does not declare (a redirect to its CDN without X-Linked-Size) are counted as the bytes arrive. */
    @Test
    void stopsAFileOfUnknownSizeAtTheCapAndOneLargerThanDeclaredAtItsSize() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            hub.hideSizes();
            hub.redirectTo("/cdn/blob");
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> client(hub, 4_000_000, 1L << 40, Duration.ofSeconds(30)).snapshot(REPO, "main", true, QUIET));
            assertTrue(e.getMessage().contains("model.safetensors of lensboard/gpt2-tiny is more than 4000000 bytes, over the file limit"),
                    e.getMessage());
            assertEquals(List.of(), files());
        }
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            hub.declareSize("model.safetensors", 1000);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> client(hub, 4_000_000, 1L << 40, Duration.ofSeconds(30)).snapshot(REPO, "main", true, QUIET));
            assertTrue(e.getMessage().contains("sent more of model.safetensors than the 1000 bytes it declared"), e.getMessage());
            assertEquals(List.of(), files());
        }
    }

    @Test
    void capsTheBytesOfAllOfAModelsFilesAndKeepsWhatWasCachedBefore() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            Path before = client(hub, 1L << 40, 1L << 40, Duration.ofSeconds(30)).snapshot(REPO, "main", false, QUIET);
            List<Path> cached = files();
            assertEquals(5, cached.size(), "two blobs and their links, and refs/main: " + cached);

            CheckpointException declared = assertThrows(CheckpointException.class,
                    () -> client(hub, 1L << 40, 5_000_000, Duration.ofSeconds(30)).snapshot("lensboard/gpt2-tiny", "main", true, QUIET));
            assertTrue(declared.getMessage().contains("over the download limit of 5000000 bytes"), declared.getMessage());
            assertTrue(declared.getMessage().contains("LENSBOARD_HUB_MAX_TOTAL_BYTES"), declared.getMessage());
            assertEquals(cached, files(), "what an earlier call cached is kept, nothing is added");
            assertTrue(Files.isRegularFile(before.resolve("config.json")));

            hub.hideSizes(); // the weights pass the check of declared sizes, then arrive past the total
            hub.redirectTo("/cdn/blob");
            CheckpointException received = assertThrows(CheckpointException.class,
                    () -> client(hub, 1L << 40, 5_000_000, Duration.ofSeconds(30)).snapshot(REPO, "main", true, QUIET));
            assertTrue(received.getMessage().contains("past 5000000 bytes"), received.getMessage());
            assertEquals(cached, files());
        }
    }

    /** A hub that sends half of the weights and then nothing, every time: given up after the retries, nothing left. */
    @Test
    @Timeout(60)
    void givesUpOnAHubThatStallsEveryTimeAndLeavesNoPartialModel() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            hub.stallEveryDownloadOf("model.safetensors");
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> client(hub, 1L << 40, 1L << 40, Duration.ofSeconds(1)).snapshot(REPO, "main", true, QUIET));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.getMessage().contains("download failed after"), e.getMessage());
            assertTrue(seconds < 20, "four stalls of a second each, not a hang: " + seconds + " s");
            assertTrue(hub.requests.stream().filter(r -> r.method().equals("GET") && r.file().equals("model.safetensors")).count() >= 2);
            assertEquals(List.of(), files(), "no .incomplete blob, no snapshot of config and tokenizer without weights");
            assertFalse(repoDirExists());
        }
    }

    @Test
    @Timeout(60)
    void timesOutOnAHubThatNeverAnswers() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            hub.stallHeads();
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> client(hub, 1L << 40, 1L << 40, Duration.ofSeconds(1)).snapshot(REPO, "main", true, QUIET));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.getMessage().contains("did not answer within 1 s (LENSBOARD_HUB_READ_TIMEOUT)"), e.getMessage());
            assertTrue(seconds < 10, seconds + " s");
            assertEquals(List.of(), files());
        }
    }

    /**
     * A hub whose address never completes a TCP connect: the call gives up after LENSBOARD_HUB_CONNECT_TIMEOUT (1 s
     * here, against a 30 s read timeout), names that setting, and leaves the cache as it was (the files cached before
     * are served from it, the missing weights are not made up).
     */
    @Test
    @Timeout(60)
    void givesUpOnAHubThatNeverAcceptsAConnectionWithinTheConnectTimeout() throws IOException {
        try (FakeHub hub = new FakeHub(Fixtures.root())) {
            client(hub, 1L << 40, 1L << 40, Duration.ofSeconds(30)).snapshot(REPO, "main", false, QUIET);
        }
        List<Path> cached = files();
        Optional<UnconnectableAddress> opened = UnconnectableAddress.open();
        Assumptions.assumeTrue(opened.isPresent(), "this system refuses connects to a full accept queue instead of dropping them");
        try (UnconnectableAddress silent = opened.get()) {
            HubClient client = new HubClient(silent.endpoint(), cache, Optional.empty(),
                    new HubLimits(1L << 40, 1L << 40, Duration.ofSeconds(1), Duration.ofSeconds(30)));
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> client.snapshot(REPO, "main", true, QUIET));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.getMessage().contains("did not accept a connection within 1 s (LENSBOARD_HUB_CONNECT_TIMEOUT)"), e.getMessage());
            assertFalse(e.getMessage().contains("LENSBOARD_HUB_READ_TIMEOUT"), e.getMessage());
            assertTrue(seconds < 15, "three connects of a second each, well under the 30 s read timeout: " + seconds + " s");
            assertEquals(cached, files(), "the cache is as it was: nothing added, nothing removed");
        }
    }

    /** The hub answers, but redirects the weights to a CDN that never accepts a connection: each attempt gives up in 1 s. */
    @Test
    @Timeout(60)
    void givesUpOnACdnThatNeverAcceptsAConnectionAndLeavesNoPartialModel() throws IOException {
        Optional<UnconnectableAddress> opened = UnconnectableAddress.open();
        Assumptions.assumeTrue(opened.isPresent(), "this system refuses connects to a full accept queue instead of dropping them");
        try (UnconnectableAddress cdn = opened.get(); FakeHub hub = new FakeHub(Fixtures.root())) {
            hub.redirectTo(cdn.endpoint() + "/cdn/blob");
            HubClient client = new HubClient(hub.endpoint(), cache, Optional.empty(),
                    new HubLimits(1L << 40, 1L << 40, Duration.ofSeconds(1), Duration.ofSeconds(30)));
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> client.snapshot(REPO, "main", true, QUIET));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(e.getMessage().contains("download failed after"), e.getMessage());
            assertTrue(e.getMessage().contains("did not accept a connection within 1 s (LENSBOARD_HUB_CONNECT_TIMEOUT)"), e.getMessage());
            assertTrue(seconds < 20, "four connects of a second each, well under the 30 s read timeout: " + seconds + " s");
            assertEquals(List.of(), files(), "nothing of the failed call is left");
            assertFalse(repoDirExists());
        }
    }
}
