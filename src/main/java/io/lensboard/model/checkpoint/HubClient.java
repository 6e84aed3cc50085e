package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.InvalidModelIdException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * {@code .incomplete} blob with an HTTP Range request, sizes are checked, and a sha256 ETag is verified. What one call
 * may download is bounded ({@link HubLimits}: bytes per file and in all, connect and read timeouts); a call that fails
 * or passes a limit midway removes what it made ({@link HubTransfer}), so no partial model is left in the cache.
 * Every name from an id or from the hub's answers is checked against the hub's rules ({@link HubNames}) before it
 * becomes part of a path or a URL, and every path read or written is checked to lie inside the cache.
 */
public final class HubClient {
    private static final int ATTEMPTS = 4;
    private static final System.Logger LOG = System.getLogger(HubClient.class.getName());
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
    private final HubLimits limits;

    public HubClient(URI endpoint, Path cache, Optional<String> token) {
        this(endpoint, cache, token, HubLimits.DEFAULT);
    }

    /** {@code stall}: how long a download may receive nothing before it is dropped and resumed. */
    public HubClient(URI endpoint, Path cache, Optional<String> token, Duration stall) {
        this(endpoint, cache, token, HubLimits.DEFAULT.withReadTimeout(stall));
    }

    public HubClient(URI endpoint, Path cache, Optional<String> token, HubLimits limits) {
        this.limits = limits;
        this.endpoint = endpoint;
        this.cache = cache;
        this.token = token.filter(t -> !t.isBlank());
        this.http = HttpClient.newBuilder()
                .connectTimeout(limits.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The hub as the environment configures it (HF_ENDPOINT, HF_HOME or HF_HUB_CACHE, HF_TOKEN), under {@code limits}. */
    public static HubClient fromEnvironment(HubLimits limits) {
        String endpoint = System.getenv().getOrDefault("HF_ENDPOINT", "https://huggingface.co");
        return new HubClient(URI.create(endpoint), defaultCache(), Optional.ofNullable(System.getenv("HF_TOKEN")), limits);
    }

    /** The hub cache the environment names: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
    public static Path defaultCache() {
        Path home = Path.of(System.getenv().getOrDefault("HF_HOME", System.getProperty("user.home") + "/.cache/huggingface"));
        return Optional.ofNullable(System.getenv("HF_HUB_CACHE")).map(Path::of).orElse(home.resolve("hub"));
    }

    /**
     * A local snapshot directory of {@code repo} at {@code revision} holding config.json, tokenizer.json (all lensboard reads of a tokenizer;
     * a ViT's preprocessor_config.json instead) and,
     * when {@code weights}, the safetensors weights (single file or shards). Offline, a complete
     * cached snapshot is used as it is.
     */
    public Path snapshot(String repo, String revision, boolean weights, Progress progress) throws IOException {
        Path repoDir = repoDir(repo, revision);
        HubTransfer transfer = new HubTransfer(limits, repo);
        try {
            return snapshot(repo, revision, weights, repoDir, transfer, progress);
        } catch (IOException | RuntimeException e) {
            transfer.undo();
            throw e;
        }
    }

    private Path snapshot(String repo, String revision, boolean weights, Path repoDir, HubTransfer transfer, Progress progress)
            throws IOException {
        Path file = fetch(repo, revision, "config.json", repoDir, transfer, progress);
        // a ViT reads images: its preprocessing instead of a tokenizer
        boolean vit = "vit".equals(new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile()).path("model_type").asText());
        fetch(repo, revision, vit ? "preprocessor_config.json" : "tokenizer.json", repoDir, transfer, progress);
        if (weights) {
            try {
                fetch(repo, revision, "model.safetensors", repoDir, transfer, progress);
            } catch (MissingFileException single) {
                Path index = fetch(repo, revision, "model.safetensors.index.json", repoDir, transfer, progress);
                List<String> shards = new com.fasterxml.jackson.databind.ObjectMapper().readTree(index.toFile())
                        .path("weight_map").properties().stream().map(e -> e.getValue().asText()).distinct().toList();
                for (String shard : shards) {
                    if (HubNames.fileProblem(shard) != null) {
                        throw new IOException("the hub's model.safetensors.index.json of " + repo + " names the shard '" + shard
                                + "', which is not a file inside the repository (" + HubNames.fileProblem(shard) + "); refusing it");
                    }
                    fetch(repo, revision, shard, repoDir, transfer, progress);
                }
            }
        }
        return file.getParent();
    }

    /** One file of {@code repo} at {@code revision} (a GGUF checkpoint), downloaded into the cache; offline, the cached copy. */
    public Path file(String repo, String revision, String name, Progress progress) throws IOException {
        return file(repo, false, revision, name, progress);
    }

    /**
     * One file of a repository, of a Space when {@code space} (the hub serves those under {@code /spaces/}, and its
     * cache keeps them as {@code spaces--owner--name}), as {@link #file(String, String, String, Progress)}.
     */
    public Path file(String repo, boolean space, String revision, String name, Progress progress) throws IOException {
        Path repoDir = repoDir(repo, revision, space ? "spaces--" : "models--");
        if (HubNames.fileProblem(name) != null) {
            throw new InvalidModelIdException("the file '" + name + "' of " + repo + " is not allowed: " + HubNames.fileProblem(name));
        }
        HubTransfer transfer = new HubTransfer(limits, repo);
        try {
            return fetch(space ? "spaces/" + repo : repo, revision, name, repoDir, transfer, progress);
        } catch (IOException | RuntimeException e) {
            transfer.undo();
            throw e;
        }
    }

    private Path repoDir(String repo, String revision) throws IOException {
        return repoDir(repo, revision, "models--");
    }

    /** The repository's directory in the cache, once {@code repo} and {@code revision} are known to be safe names. */
    private Path repoDir(String repo, String revision, String type) throws IOException {
        String problem = HubNames.repoProblem(repo);
        if (problem == null && HubNames.revisionProblem(revision) != null) {
            problem = "revision '" + revision + "': " + HubNames.revisionProblem(revision);
        }
        if (problem != null) {
            throw new InvalidModelIdException("the hub repository '" + repo + "' at '" + revision + "' is not allowed: " + problem);
        }
        return inCache(cache.resolve(type + repo.replace("/", "--")));
    }

    private Path fetch(String repo, String revision, String name, Path repoDir, HubTransfer transfer, Progress progress)
            throws IOException {
        // The revision is one path segment (a branch's '/' as %2F, as huggingface_hub sends it); the file's names are escaped one by one.
        URI uri = endpoint.resolve(endpoint.getPath().replaceAll("/$", "") + "/" + repo + "/resolve/" + HubNames.encode(revision) + "/"
                + String.join("/", java.util.Arrays.stream(name.split("/")).map(HubNames::encode).toList()));
        HttpResponse<Void> head;
        try {
            head = send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
        } catch (IOException unreachable) {
            Path cached = cachedSnapshotFile(repoDir, revision, name);
            if (cached != null) {
                return cached;
            }
            String why = unreachable instanceof HttpTimeoutException ? timedOut(unreachable) : String.valueOf(unreachable);
            throw new IOException("cannot reach the Hugging Face hub at " + endpoint + " (" + why
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
        String commit = commit(uri, head.headers().firstValue("X-Repo-Commit")).orElse(revision);
        String etag = etag(uri, head.headers().firstValue("X-Linked-Etag").or(() -> head.headers().firstValue("ETag"))).orElse(null);
        long size = size(uri, head.headers().firstValue("X-Linked-Size")
                .or(() -> status / 100 == 2 ? head.headers().firstValue("Content-Length") : Optional.empty()));
        URI source = status / 100 == 3
                ? redirect(uri, head.headers().firstValue("Location").orElseThrow(() -> new IOException(uri + ": redirect without Location")))
                : uri;

        Path snapshotFile = inCache(repoDir.resolve("snapshots").resolve(commit).resolve(name));
        writeRef(repoDir, revision, commit, transfer);
        if (Files.exists(snapshotFile)) {
            return inCache(snapshotFile);
        }
        Path blobs = createDirectories(inCache(repoDir.resolve("blobs")), transfer);
        String blobName = etag != null ? etag : (commit + "-" + name).replace('/', '_');
        Path blob = inCache(blobs.resolve(blobName));
        if (!Files.exists(blob) || (size >= 0 && Files.size(blob) != size)) {
            transfer.expect(name, size);
            transfer.made(blob);
            download(source, name, blob, size, transfer, progress);
            if (etag != null && etag.matches("[0-9a-f]{64}")) {
                String actual = sha256(blob);
                if (!actual.equals(etag)) {
                    Files.delete(blob);
                    throw new IOException(uri + ": sha256 " + actual + " does not match the hub's " + etag + "; download it again");
                }
            }
        }
        createDirectories(inCache(snapshotFile.getParent()), transfer);
        transfer.made(snapshotFile);
        try {
            Files.createSymbolicLink(snapshotFile, snapshotFile.getParent().relativize(blob));
        } catch (UnsupportedOperationException | IOException noLinks) {
            Files.copy(blob, snapshotFile, StandardCopyOption.REPLACE_EXISTING);
        }
        return snapshotFile;
    }

    /**
     * Streams into {@code blob}.incomplete, resuming with a Range request after a dropped or stalled connection;
     * the transfer stops it (a RuntimeException, not resumed) once it passes a limit.
     */
    private void download(URI source, String name, Path blob, long size, HubTransfer transfer, Progress progress)
            throws IOException {
        Path partial = inCache(blob.resolveSibling(blob.getFileName() + ".incomplete"));
        transfer.made(partial);
        IOException last = null;
        long counted = 0; // bytes of this file counted against the transfer's total
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
                if (!append) {
                    transfer.restart(counted); // starting over: what came before is overwritten
                    counted = 0;
                }
                long total = size >= 0 ? size : response.headers().firstValueAsLong("Content-Length").orElse(-1) + done;
                AtomicLong lastRead = new AtomicLong(System.nanoTime());
                InputStream body = response.body();
                ScheduledFuture<?> watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
                    if (System.nanoTime() - lastRead.get() > limits.readTimeout().toNanos()) {
                        try {
                            body.close(); // the blocked read ends, short of the size, and the attempt resumes
                        } catch (IOException ignored) {
                            // closing is all that is wanted
                        }
                    }
                }, limits.readTimeout().toMillis() / 4 + 1, limits.readTimeout().toMillis() / 4 + 1, TimeUnit.MILLISECONDS);
                try (InputStream in = body;
                     OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        lastRead.set(System.nanoTime());
                        done += n;
                        counted += n;
                        transfer.received(name, done, n);
                        if (size >= 0 && done > size) {
                            throw new CheckpointException("the hub sent more of " + name + " than the " + size
                                    + " bytes it declared; the download was stopped and removed");
                        }
                        out.write(buffer, 0, n);
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
        throw new IOException(source + ": download failed after " + ATTEMPTS + " attempts: "
                + (last instanceof HttpConnectTimeoutException ? timedOut(last) : last.getMessage()), last);
    }

    /** Which timeout ended a call, with its setting (a connect timeout is an HttpTimeoutException too). */
    private String timedOut(IOException e) {
        return e instanceof HttpConnectTimeoutException
                ? "it did not accept a connection within " + limits.connectTimeout().toSeconds() + " s (LENSBOARD_HUB_CONNECT_TIMEOUT)"
                : "it did not answer within " + limits.readTimeout().toSeconds() + " s (LENSBOARD_HUB_READ_TIMEOUT)";
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws IOException {
        if (sameOrigin(request.copy().build().uri())) { // a redirect elsewhere (the CDN, a hostile Location) gets no token
            token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        }
        request.header("User-Agent", "lensboard");
        try {
            // The timeout bounds the wait for the answer's headers; a body that stalls is the watchdog's to end.
            return http.send(request.timeout(limits.readTimeout()).build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private boolean sameOrigin(URI uri) {
        return java.util.Objects.equals(uri.getScheme(), endpoint.getScheme()) && java.util.Objects.equals(uri.getHost(), endpoint.getHost())
                && uri.getPort() == endpoint.getPort();
    }

    private void writeRef(Path repoDir, String revision, String commit, HubTransfer transfer) throws IOException {
        if (!revision.equals(commit)) {
            Path ref = inCache(repoDir.resolve("refs").resolve(revision));
            createDirectories(inCache(ref.getParent()), transfer);
            if (!Files.exists(ref)) {
                transfer.made(ref);
            }
            Files.writeString(ref, commit);
        }
    }

    /**
     * Files.createDirectories, telling the transfer the outermost directory it makes inside the cache (never the
     * cache itself, which other calls' downloads share).
     */
    private Path createDirectories(Path dir, HubTransfer transfer) throws IOException {
        Path root = cache.toAbsolutePath().normalize();
        Path outermost = null;
        for (Path p = dir; p.startsWith(root) && !p.equals(root) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            outermost = p;
        }
        Files.createDirectories(dir);
        if (outermost != null) {
            transfer.made(outermost);
        }
        return dir;
    }

    /** The cached file of {@code name} at {@code revision}, or null; a ref naming no commit is not followed. */
    private Path cachedSnapshotFile(Path repoDir, String revision, String name) throws IOException {
        Path ref = inCache(repoDir.resolve("refs").resolve(revision));
        String named = Files.isRegularFile(ref) ? Files.readString(ref).trim() : revision;
        String commit = HubNames.isCommit(named) ? named : revision;
        Path file = inCache(repoDir.resolve("snapshots").resolve(commit).resolve(name));
        return Files.exists(file) ? inCache(file) : null;
    }

    /**
     * {@code path}, normalised, if it lies inside the cache: lexically, and for the part of it that exists, by
     * its real path (so a symlink out of the cache is refused too, dangling or not); else an IOException.
     */
    private Path inCache(Path path) throws IOException {
        return inCache(path, 8);
    }

    private Path inCache(Path path, int links) throws IOException {
        Path root = cache.toAbsolutePath().normalize();
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root) || links == 0) {
            throw outside(path);
        }
        Path existing = p;
        while (existing.startsWith(root) && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (!existing.startsWith(root)) {
            return p; // nothing of it exists yet
        }
        if (Files.isSymbolicLink(existing) && !Files.exists(existing)) { // dangling: where writing through it would go
            inCache(existing.resolveSibling(Files.readSymbolicLink(existing)), links - 1);
        } else if (!existing.toRealPath().startsWith(root.toRealPath())) {
            throw outside(path);
        }
        return p;
    }

    private IOException outside(Path path) {
        return new IOException("refusing " + path + ": it lies outside the hub cache " + cache);
    }

    /** X-Repo-Commit if it is a commit (40 hex digits); anything else is ignored, as if the header were absent. */
    private static Optional<String> commit(URI uri, Optional<String> header) {
        if (header.isPresent() && !HubNames.isCommit(header.get())) {
            LOG.log(System.Logger.Level.WARNING, "{0}: ignoring X-Repo-Commit ''{1}'', which is not a 40-digit commit", uri, header.get());
            return Optional.empty();
        }
        return header;
    }

    /** The ETag's token if it is safe to name a blob after (HubNames.etag); anything else is ignored. */
    private static Optional<String> etag(URI uri, Optional<String> header) {
        Optional<String> etag = header.flatMap(HubNames::etag);
        if (header.isPresent() && etag.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: ignoring the ETag ''{1}'', which is not a token of letters, digits, '.', '_', '-'",
                    uri, header.get());
        }
        return etag;
    }

    private static long size(URI uri, Optional<String> header) throws IOException {
        try {
            long size = header.map(Long::parseLong).orElse(-1L);
            if (header.isPresent() && size < 0) {
                throw new NumberFormatException();
            }
            return size;
        } catch (NumberFormatException e) {
            throw new IOException(uri + ": the hub answered a size of '" + header.get() + "', which is not a number of bytes");
        }
    }

    /** Where a redirect points, if it is an http(s) URL. */
    private static URI redirect(URI uri, String location) throws IOException {
        try {
            URI target = uri.resolve(location);
            if ("http".equalsIgnoreCase(target.getScheme()) || "https".equalsIgnoreCase(target.getScheme())) {
                return target;
            }
        } catch (IllegalArgumentException malformed) {
            // refused below
        }
        throw new IOException(uri + ": the hub redirected to '" + location + "', which is not an http(s) URL");
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
