package io.lensboard.model.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Downloads model files from the Hugging Face hub ({@code <endpoint>/<repo>/resolve/<revision>/<file>})
 * into the hub's standard cache ({@code $HF_HOME/hub/models--owner--repo/{blobs,snapshots,refs}}), so
 * files fetched by Python tools are reused and the other way round. Downloads resume from a
 * {@code .incomplete} blob with an HTTP Range request, sizes are checked, and a sha256 ETag is verified.
 */
public final class HubClient {
    private static final int ATTEMPTS = 4;
    /** Closes the body of a download that has received nothing for the stall time, so it resumes instead of hanging. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lensboard-hub-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Called with bytes received so far and the file's total size (-1 when unknown). */
    public interface Progress {
        void update(String file, long done, long total);
    }

    /** A file the repository does not have (HTTP 404). */
    public static final class MissingFileException extends IOException {
        MissingFileException(String message) {
            super(message);
        }
    }

    private final URI endpoint;
    private final Path cache;
    private final Optional<String> token;
    private final HttpClient http;
    private final Duration stall;

    public HubClient(URI endpoint, Path cache, Optional<String> token) {
        this(endpoint, cache, token, Duration.ofSeconds(60));
    }

    /** {@code stall}: how long a download may receive nothing before it is dropped and resumed. */
    public HubClient(URI endpoint, Path cache, Optional<String> token, Duration stall) {
        this.stall = stall;
        this.endpoint = endpoint;
        this.cache = cache;
        this.token = token.filter(t -> !t.isBlank());
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The hub as the environment configures it: HF_ENDPOINT, HF_HOME (or HF_HUB_CACHE), HF_TOKEN. */
    public static HubClient fromEnvironment() {
        String endpoint = System.getenv().getOrDefault("HF_ENDPOINT", "https://huggingface.co");
        Path home = Path.of(System.getenv().getOrDefault("HF_HOME", System.getProperty("user.home") + "/.cache/huggingface"));
        Path hubCache = Optional.ofNullable(System.getenv("HF_HUB_CACHE")).map(Path::of).orElse(home.resolve("hub"));
        return new HubClient(URI.create(endpoint), hubCache, Optional.ofNullable(System.getenv("HF_TOKEN")));
    }

    /**
     * A local snapshot directory of {@code repo} at {@code revision} holding config.json, tokenizer.json (all lensboard reads of a tokenizer) and,
     * when {@code weights}, the safetensors weights (single file or shards). Offline, a complete
     * cached snapshot is used as it is.
     */
    public Path snapshot(String repo, String revision, boolean weights, Progress progress) throws IOException {
        Path repoDir = cache.resolve("models--" + repo.replace("/", "--"));
        Path file = fetch(repo, revision, "config.json", repoDir, progress);
        fetch(repo, revision, "tokenizer.json", repoDir, progress);
        if (weights) {
            try {
                fetch(repo, revision, "model.safetensors", repoDir, progress);
            } catch (MissingFileException single) {
                Path index = fetch(repo, revision, "model.safetensors.index.json", repoDir, progress);
                List<String> shards = new com.fasterxml.jackson.databind.ObjectMapper().readTree(index.toFile())
                        .path("weight_map").properties().stream().map(e -> e.getValue().asText()).distinct().toList();
                for (String shard : shards) {
                    fetch(repo, revision, shard, repoDir, progress);
                }
            }
        }
        return file.getParent();
    }

    /** One file of {@code repo} at {@code revision} (a GGUF checkpoint), downloaded into the cache; offline, the cached copy. */
    public Path file(String repo, String revision, String name, Progress progress) throws IOException {
        return fetch(repo, revision, name, cache.resolve("models--" + repo.replace("/", "--")), progress);
    }

    private Path fetch(String repo, String revision, String name, Path repoDir, Progress progress) throws IOException {
        URI uri = endpoint.resolve(endpoint.getPath().replaceAll("/$", "") + "/" + repo + "/resolve/" + revision + "/" + name);
        HttpResponse<Void> head;
        try {
            head = send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        } catch (IOException unreachable) {
            Path cached = cachedSnapshotFile(repoDir, revision, name);
            if (cached != null) {
                return cached;
            }
            throw new IOException("cannot reach the Hugging Face hub at " + endpoint + " (" + unreachable
                    + "); to work offline, put the model in a directory named by LENSBOARD_MODELS_DIRS", unreachable);
        }
        int status = head.statusCode();
        if (status == 404) {
            throw new MissingFileException(uri + ": not found");
        }
        if (status == 401 || status == 403) {
            throw new IOException(uri + ": HTTP " + status + " (a gated or private repository needs HF_TOKEN)");
        }
        if (status >= 400) {
            throw new IOException(uri + ": HTTP " + status);
        }
        String commit = head.headers().firstValue("X-Repo-Commit").orElse(revision);
        String etag = head.headers().firstValue("X-Linked-Etag").or(() -> head.headers().firstValue("ETag"))
                .map(HubClient::cleanEtag).orElse(null);
        long size = head.headers().firstValue("X-Linked-Size")
                .or(() -> status / 100 == 2 ? head.headers().firstValue("Content-Length") : Optional.empty())
                .map(Long::parseLong).orElse(-1L);
        URI source = status / 100 == 3
                ? uri.resolve(head.headers().firstValue("Location").orElseThrow(() -> new IOException(uri + ": redirect without Location")))
                : uri;

        Path snapshotFile = repoDir.resolve("snapshots").resolve(commit).resolve(name);
        writeRef(repoDir, revision, commit);
        if (Files.exists(snapshotFile)) {
            return snapshotFile;
        }
        Path blobs = Files.createDirectories(repoDir.resolve("blobs"));
        String blobName = etag != null ? etag : commit + "-" + name.replace('/', '_');
        Path blob = blobs.resolve(blobName);
        if (!Files.exists(blob) || (size >= 0 && Files.size(blob) != size)) {
            download(source, name, blob, size, progress);
            if (etag != null && etag.matches("[0-9a-f]{64}")) {
                String actual = sha256(blob);
                if (!actual.equals(etag)) {
                    Files.delete(blob);
                    throw new IOException(uri + ": sha256 " + actual + " does not match the hub's " + etag + "; download it again");
                }
            }
        }
        Files.createDirectories(snapshotFile.getParent());
        try {
            Files.createSymbolicLink(snapshotFile, snapshotFile.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException noLinks) {
            Files.copy(blob, snapshotFile, StandardCopyOption.REPLACE_EXISTING);
        }
        return snapshotFile;
    }

    /** Streams into {@code blob}.incomplete, resuming with a Range request after a dropped connection. */
    private void download(URI source, String name, Path blob, long size, Progress progress) throws IOException {
        Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long have = Files.exists(partial) ? Files.size(partial) : 0;
            HttpRequest.Builder request = HttpRequest.newBuilder(source);
            if (have > 0) {
                request.header("Range", "bytes=" + have + "-");
            }
            try {
                HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if (status != 200 && status != 206) {
                    response.body().close();
                    throw new IOException(source + ": HTTP " + status);
                }
                boolean append = status == 206;
                long done = append ? have : 0;
                long total = size >= 0 ? size : response.headers().firstValueAsLong("Content-Length").orElse(-1) + done;
                AtomicLong lastRead = new AtomicLong(System.nanoTime());
                InputStream body = response.body();
                ScheduledFuture<?> watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
                    if (System.nanoTime() - lastRead.get() > stall.toNanos()) {
                        try {
                            body.close(); // the blocked read ends, short of the size, and the attempt resumes
                        } catch (IOException ignored) {
                            // closing is all that is wanted
                        }
                    }
                }, stall.toMillis() / 4 + 1, stall.toMillis() / 4 + 1, TimeUnit.MILLISECONDS);
                try (InputStream in = body;
                     OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        lastRead.set(System.nanoTime());
                        out.write(buffer, 0, n);
                        done += n;
                        progress.update(name, done, total);
                    }
                } finally {
                    watchdog.cancel(false);
                }
                if (total >= 0 && done != total) {
                    throw new IOException(source + ": received " + done + " of " + total + " bytes");
                }
                Files.move(partial, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (IOException e) {
                last = e; // keep the partial file and resume from it
            }
        }
        throw new IOException(source + ": download failed after " + ATTEMPTS + " attempts: " + last.getMessage(), last);
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws IOException {
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        request.header("User-Agent", "lensboard");
        try {
            return http.send(request.timeout(Duration.ofMinutes(30)).build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void writeRef(Path repoDir, String revision, String commit) throws IOException {
        if (!revision.equals(commit)) {
            Path ref = repoDir.resolve("refs").resolve(revision);
            Files.createDirectories(ref.getParent());
            Files.writeString(ref, commit);
        }
    }

    private static Path cachedSnapshotFile(Path repoDir, String revision, String name) throws IOException {
        Path ref = repoDir.resolve("refs").resolve(revision);
        String commit = Files.isRegularFile(ref) ? Files.readString(ref).trim() : revision;
        Path file = repoDir.resolve("snapshots").resolve(commit).resolve(name);
        return Files.exists(file) ? file : null;
    }

    private static String cleanEtag(String etag) {
        return etag.replaceFirst("^W/", "").replace("\"", "");
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
