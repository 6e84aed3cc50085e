package io.lensboard.model.checkpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Hugging Face hub: serves {@code <fixtures>/<name>/<file>} at
 * {@code /lensboard/<name>/resolve/<revision>/<file>} (and {@code /spaces/lensboard/…}, a Space) with the hub's headers (X-Repo-Commit, a sha256
 * ETag, X-Linked-Size), Range requests, and optionally cuts the first download of a file off halfway.
 * It can also play a hostile hub: any X-Repo-Commit or ETag, and a redirect to any Location.
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final Pattern PATH = Pattern.compile("(?:/spaces)?/lensboard/([\\w.-]+)/resolve/([\\w.-]+)/(.+)"); // a model repo or a Space

    record Request(String method, String file, String range, String authorization) {}

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Path fixtures;
    private volatile String dropFirstDownloadOf;
    private volatile String stallFirstDownloadOf;
    private volatile String stallEveryDownloadOf;
    private volatile boolean stallHeads;
    private volatile String declaredFile;
    private volatile long declaredSize;
    private volatile boolean hideSizes;
    private volatile String commit = COMMIT;
    private volatile String etag;
    private volatile String location;
    private volatile Path redirected;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    FakeHub(Path fixtures) throws IOException {
        this.fixtures = fixtures;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a stalled response must not hold the others
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void dropFirstDownloadOf(String file) {
        dropFirstDownloadOf = file;
    }

    /** The first download of {@code file} sends half, then nothing more, the connection open until the hub closes. */
    void stallFirstDownloadOf(String file) {
        stallFirstDownloadOf = file;
    }

    /** Every download of {@code file} sends half, then nothing more (a hub that stalls however often it is asked). */
    void stallEveryDownloadOf(String file) {
        stallEveryDownloadOf = file;
    }

    /** Every HEAD gets no answer at all, the connection open until the hub closes. */
    void stallHeads() {
        stallHeads = true;
    }

    /** Declares {@code file}'s size as {@code size} (X-Linked-Size), whatever it sends: a hub that lies about a size. */
    void declareSize(String file, long size) {
        declaredFile = file;
        declaredSize = size;
    }

    /** Sends no X-Linked-Size: with {@link #redirectTo} (whose answer's Content-Length is not the file's), sizes are unknown. */
    void hideSizes() {
        hideSizes = true;
    }

    /** Answers every HEAD with this X-Repo-Commit instead of {@link #COMMIT}. */
    void sendCommit(String value) {
        commit = value;
    }

    /** Answers every HEAD with this ETag instead of the file's quoted sha256. */
    void sendEtag(String value) {
        etag = value;
    }

    /**
     * Answers every HEAD with a redirect to {@code value} (as the hub redirects to its CDN); a GET of a path
     * outside the hub's layout then serves the file last redirected.
     */
    void redirectTo(String value) {
        location = value;
    }

    private void handle(HttpExchange ex) throws IOException {
        Matcher m = PATH.matcher(ex.getRequestURI().getPath());
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(new Request(ex.getRequestMethod(), m.matches() ? m.group(3) : ex.getRequestURI().getPath(), range,
                ex.getRequestHeaders().getFirst("Authorization")));
        Path file = m.matches() ? fixtures.resolve(m.group(1)).resolve(m.group(3)) : redirected;
        if (file == null || !Files.isRegularFile(file)) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        String name = m.matches() ? m.group(3) : "";
        ex.getResponseHeaders().add("X-Repo-Commit", commit);
        ex.getResponseHeaders().add("ETag", etag != null ? etag : "\"" + sha256(bytes) + "\"");
        if (!hideSizes) {
            ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(name.equals(declaredFile) ? declaredSize : bytes.length));
        }
        if (ex.getRequestMethod().equals("HEAD") && stallHeads) {
            awaitClose();
            ex.close();
            return;
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            if (location != null) {
                redirected = file;
                ex.getResponseHeaders().add("Location", location);
            }
            ex.sendResponseHeaders(location != null ? 302 : 200, -1);
            ex.close();
            return;
        }
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
        if (from > 0) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        OutputStream out;
        if (name.equals(dropFirstDownloadOf)) {
            // The connection ends halfway: a chunked body that stops early, short of X-Linked-Size.
            dropFirstDownloadOf = null;
            ex.sendResponseHeaders(200, 0);
            out = ex.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.close();
            return;
        }
        if (name.equals(stallFirstDownloadOf) || name.equals(stallEveryDownloadOf)) {
            stallFirstDownloadOf = null;
            ex.sendResponseHeaders(200, bytes.length);
            out = ex.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            awaitClose();
            ex.close();
            return;
        }
        ex.sendResponseHeaders(from > 0 ? 206 : 200, bytes.length - from);
        out = ex.getResponseBody();
        out.write(bytes, from, bytes.length - from);
        out.close();
    }

    private void awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
