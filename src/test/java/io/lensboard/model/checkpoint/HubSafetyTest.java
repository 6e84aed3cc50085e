package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.model.pool.DeviceThread;
import io.lensboard.model.InvalidModelIdException;
import io.lensboard.model.pool.ModelCatalog;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hub ids and hub answers cannot reach outside the cache: bad ids are refused before any request, hostile
 * headers and names from a {@link FakeHub} are ignored or refused, and nothing is written or read outside
 * the cache root. The fixtures are made here (tiny files, not models), so these tests need no shared fixtures.
 */
class HubSafetyTest {

    @TempDir
    Path base;
    /** The cache root; everything else under {@link #base} is "outside" and must stay as it is. */
    Path root;
    Path fixtures;

    @BeforeEach
    void repository() throws IOException {
        root = Files.createDirectories(base.resolve("cache/hub"));
        fixtures = Files.createDirectories(base.resolve("fixtures"));
        Path repo = Files.createDirectories(fixtures.resolve("tiny"));
        Files.writeString(repo.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        Files.writeString(repo.resolve("tokenizer.json"), "{}");
        Files.writeString(repo.resolve("model.gguf"), "GGUF, or as good as one here");
    }

    private static final HubClient.Progress QUIET = (file, done, total) -> {};

    @Test
    void refusesRevisionWithDotDot() throws IOException {
        for (String revision : List.of("../../x", "..", "a/../b", "a..b", "/abs", "a//b", "a\\b", "tab\tbad", ".hidden", "x".repeat(129))) {
            InvalidModelIdException e = assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("hf:a/b@" + revision), revision);
            assertTrue(e.getMessage().contains("revision '" + revision + "'") && e.getMessage().contains("branch or tag")
                    || e.getMessage().contains("longer than 128"), e.getMessage());
        }
        try (FakeHub hub = new FakeHub(fixtures)) {
            HubClient client = new HubClient(hub.endpoint(), root, Optional.empty());
            assertThrows(InvalidModelIdException.class, () -> client.snapshot("lensboard/tiny", "../../x", false, QUIET));
            assertThrows(InvalidModelIdException.class, () -> client.file("lensboard/tiny", "../x", "model.gguf", QUIET));
            assertTrue(hub.requests.isEmpty(), "refused before asking the hub: " + hub.requests);
        }
        assertEquals("refs/pr/1", ModelRef.parse("hf:a/b@refs/pr/1").hubRevision(), "a revision may have names joined by '/'");
        assertEquals(FakeHub.COMMIT, ModelRef.parse("hf:a/b@" + FakeHub.COMMIT + ":untrained").hubRevision());
    }

    @Test
    void refusesFilePathOutsideRepo() throws IOException {
        for (String file : List.of("../../x.gguf", "a/../../x.gguf", "./x.gguf", "a//x.gguf", "a\\x.gguf", "x.gguf/")) {
            InvalidModelIdException e = assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("hf:a/b/" + file), file);
            assertTrue(e.getMessage().contains("file '" + file + "'"), e.getMessage());
        }
        assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("hf:a/b/weights.bin"), "a file in an id is a .gguf file");
        try (FakeHub hub = new FakeHub(fixtures)) {
            HubClient client = new HubClient(hub.endpoint(), root, Optional.empty());
            for (String file : List.of("../model.gguf", "/etc/passwd", "a/./model.gguf", "a\u0000b")) {
                assertThrows(InvalidModelIdException.class, () -> client.file("lensboard/tiny", "main", file, QUIET), file);
            }
            assertTrue(hub.requests.isEmpty(), "refused before asking the hub: " + hub.requests);
        }
    }

    @Test
    void refusesRepositoryNamesTheHubDoesNotAllow() {
        for (String repo : List.of("../b", "a/..", "-a/b", "a/b-", ".a/b", "a--b/c", "a/b..c", "a/" + "n".repeat(97), "a/b c", "/b")) {
            InvalidModelIdException e = assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("hf:" + repo), repo);
            assertTrue(e.getMessage().contains("repository '" + repo + "'") || e.getMessage().contains("not a hub id"), e.getMessage());
        }
        assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("hf:a"));
        for (String id : ModelCatalog.DEFAULT_HUB) {
            assertTrue(ModelRef.parse(id).isHub(), "the default catalog's ids stay valid: " + id);
        }
        assertEquals("o_w.n-er/" + "n".repeat(96), ModelRef.parse("hf:o_w.n-er/" + "n".repeat(96)).hubRepo());
    }

    @Test
    void rejectsOverlongModelId() {
        String id = "hf:a/" + "b".repeat(300);
        InvalidModelIdException e = assertThrows(InvalidModelIdException.class, () -> ModelRef.parse(id));
        assertTrue(e.getMessage().contains("at most 256 characters"), e.getMessage());
        assertThrows(InvalidModelIdException.class, () -> ModelRef.parse("x".repeat(257)), "local ids too");
    }

    @Test
    void ignoresHostileCommitHeader() throws IOException {
        try (FakeHub hub = new FakeHub(fixtures)) {
            hub.sendCommit("../../etc");
            Path dir = new HubClient(hub.endpoint(), root, Optional.empty()).snapshot("lensboard/tiny", "main", false, QUIET);
            assertEquals(root.resolve("models--lensboard--tiny/snapshots/main"), dir, "the revision names the snapshot, as with no header");
            assertEquals("{}", Files.readString(dir.resolve("tokenizer.json")));
            assertFalse(Files.exists(root.resolve("models--lensboard--tiny/refs")), "no ref to a commit the hub did not give");
        }
    }

    @Test
    void ignoresHostileEtags() throws IOException {
        for (String etag : List.of("\"../../evil\"", "W/\"a/b\"", "..", "\"\"", "x".repeat(200))) {
            try (FakeHub hub = new FakeHub(fixtures)) {
                hub.sendEtag(etag);
                Path file = new HubClient(hub.endpoint(), root, Optional.empty()).file("lensboard/tiny", "main", "model.gguf", QUIET);
                assertEquals(-1, Files.mismatch(fixtures.resolve("tiny/model.gguf"), file), etag);
                assertTrue(file.toRealPath().startsWith(root.resolve("models--lensboard--tiny/blobs").toRealPath()), file.toRealPath().toString());
            }
            deleteTree(root.resolve("models--lensboard--tiny"));
        }
    }

    @Test
    void refusesShardNamesOutsideRepo() throws IOException {
        Files.writeString(fixtures.resolve("tiny/model.safetensors.index.json"),
                "{\"weight_map\": {\"wte.weight\": \"../../../outside.safetensors\"}}");
        try (FakeHub hub = new FakeHub(fixtures)) {
            IOException e = assertThrows(IOException.class,
                    () -> new HubClient(hub.endpoint(), root, Optional.empty()).snapshot("lensboard/tiny", "main", true, QUIET));
            assertTrue(e.getMessage().contains("'../../../outside.safetensors'") && e.getMessage().contains("refusing"), e.getMessage());
            assertTrue(hub.requests.stream().noneMatch(r -> r.file().contains("outside")), hub.requests.toString());
        }
    }

    @Test
    void followsARedirectWithDotDotIntoTheCacheOnly() throws IOException {
        try (FakeHub hub = new FakeHub(fixtures)) {
            hub.redirectTo("../../../../../../../outside/evil.json");
            Path dir = new HubClient(hub.endpoint(), root, Optional.empty()).snapshot("lensboard/tiny", "main", false, QUIET);
            assertEquals(root.resolve("models--lensboard--tiny/snapshots/" + FakeHub.COMMIT), dir, "where the redirect points names no file");
            assertEquals("{}", Files.readString(dir.resolve("tokenizer.json")));
        }
        try (FakeHub hub = new FakeHub(fixtures)) {
            hub.redirectTo("file:///etc/passwd");
            IOException e = assertThrows(IOException.class,
                    () -> new HubClient(hub.endpoint(), root, Optional.empty()).file("lensboard/tiny", "v2", "model.gguf", QUIET));
            assertTrue(e.getMessage().contains("not an http(s) URL"), e.getMessage());
        }
    }

    @Test
    void sendsTheTokenOnlyToTheHub() throws IOException {
        try (FakeHub hub = new FakeHub(fixtures); FakeHub elsewhere = new FakeHub(fixtures)) {
            hub.redirectTo(elsewhere.endpoint() + "/lensboard/tiny/resolve/main/model.gguf");
            new HubClient(hub.endpoint(), root, Optional.of("secret")).file("lensboard/tiny", "main", "model.gguf", QUIET);
            assertTrue(hub.requests.stream().allMatch(r -> "Bearer secret".equals(r.authorization())), hub.requests.toString());
            assertFalse(elsewhere.requests.isEmpty());
            assertTrue(elsewhere.requests.stream().allMatch(r -> r.authorization() == null), elsewhere.requests.toString());
        }
    }

    /** Every hostile answer above, one after another: the tree outside the cache root is the same afterwards. */
    @Test
    void neverWritesOutsideCacheRoot() throws IOException {
        Files.writeString(fixtures.resolve("tiny/model.safetensors.index.json"), "{\"weight_map\": {\"w\": \"../../../../x.safetensors\"}}");
        Set<String> before = outsideCache();
        try (FakeHub hub = new FakeHub(fixtures)) {
            HubClient client = new HubClient(hub.endpoint(), root, Optional.empty());
            hub.sendCommit("../../../../escaped");
            hub.sendEtag("\"../../../../escaped-blob\"");
            hub.redirectTo("../../../../../../escaped-redirect");
            attempt(() -> client.snapshot("lensboard/tiny", "main", true, QUIET));
            attempt(() -> client.file("lensboard/tiny", "main", "model.gguf", QUIET));
            hub.sendCommit(base.toString()); // absolute: resolving it would drop the cache's part of the path
            hub.sendEtag(base.resolve("escaped-absolute").toString());
            attempt(() -> client.file("lensboard/tiny", "v1", "model.gguf", QUIET));
            attempt(() -> client.file("lensboard/tiny", "../../../../../escaped", "model.gguf", QUIET));
            attempt(() -> client.file("lensboard/tiny", "main", "../../../../escaped.gguf", QUIET));
            attempt(() -> client.snapshot("../../escaped", "main", false, QUIET));
        }
        assertEquals(before, outsideCache());
    }

    @Test
    void offlineLookupStaysInsideCache() throws IOException {
        Path secret = Files.writeString(base.resolve("secret.json"), "{\"stolen\": true}");
        Path repo = root.resolve("models--lensboard--tiny");
        FakeHub stopped = new FakeHub(fixtures);
        stopped.close();
        HubClient client = new HubClient(stopped.endpoint(), root, Optional.empty());

        // A ref that names no commit is not followed: here it would lead to ../../../ and the secret.
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "../../../..");
        Files.createDirectories(repo.resolve("snapshots"));
        IOException e = assertThrows(IOException.class, () -> client.snapshot("lensboard/tiny", "main", false, QUIET));
        assertTrue(e.getMessage().contains("cannot reach the Hugging Face hub"), e.getMessage());

        // A snapshot file that links out of the cache is refused, not read.
        Files.writeString(repo.resolve("refs/main"), FakeHub.COMMIT);
        Path snapshot = Files.createDirectories(repo.resolve("snapshots/" + FakeHub.COMMIT));
        Files.createSymbolicLink(snapshot.resolve("config.json"), secret);
        e = assertThrows(IOException.class, () -> client.snapshot("lensboard/tiny", "main", false, QUIET));
        assertTrue(e.getMessage().contains("outside the hub cache"), e.getMessage());

        // So is a snapshot directory that links out of the cache.
        deleteTree(repo.resolve("snapshots"));
        Files.createDirectories(repo.resolve("snapshots"));
        Files.createSymbolicLink(repo.resolve("snapshots/" + FakeHub.COMMIT), base);
        e = assertThrows(IOException.class, () -> client.file("lensboard/tiny", "main", "secret.json", QUIET));
        assertTrue(e.getMessage().contains("outside the hub cache"), e.getMessage());
    }

    @Test
    void failedHubIdsAreNotListedAndFewAreRemembered() throws IOException {
        FakeHub stopped = new FakeHub(fixtures);
        stopped.close();
        try (DeviceThread device = new DeviceThread(Device.cpu());
             ModelPool pool = new ModelPool(new ModelCatalog(List.of(), new HubClient(stopped.endpoint(), root, Optional.empty())),
                     device, Long.MAX_VALUE)) {
            for (int i = 0; i < 40; i++) {
                String id = "hf:nobody/model-" + i;
                assertThrows(Exception.class, () -> pool.load(id).join());
            }
            assertTrue(pool.keys().isEmpty(), "failed loads are not listed: " + pool.keys());
            assertEquals(ModelPool.State.FAILED, pool.status("hf:nobody/model-39").orElseThrow().state(), "the latest failure is reported");
            assertTrue(pool.status("hf:nobody/model-0").isEmpty(), "the oldest failures are forgotten");
            assertThrows(InvalidModelIdException.class, () -> pool.load("hf:nobody/x@../../y"));
            assertTrue(pool.status("hf:nobody/x@../../y").isEmpty(), "a malformed id never reaches the pool");
        }
    }

    private interface Attempt {
        void run() throws IOException;
    }

    /** Runs a download that may fail: failing is allowed, writing outside the cache is what the test looks for. */
    private static void attempt(Attempt a) {
        try {
            a.run();
        } catch (IOException | IllegalArgumentException | InvalidModelIdException refused) {
            // refused or failed: either is fine here
        }
    }

    private Set<String> outsideCache() throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            return all.filter(p -> !p.startsWith(root)).map(p -> base.relativize(p).toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
