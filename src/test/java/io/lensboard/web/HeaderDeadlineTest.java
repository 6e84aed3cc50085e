package io.lensboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 26 item 2: a client that trickles its headers (a line a second, never the blank line that ends them) is
 * answered 408 and closed once lensboard.http.header-deadline (2 s here) has passed since its first byte, although
 * the idle timeout (2 minutes) never expires; a client that sends a whole request slowly but within the deadline is
 * served, and a kept-alive connection idle past the deadline is not cut. Raw loopback sockets, each closed at the end.
 */
@QuarkusTest
@TestProfile(HeaderDeadlineTest.ShortDeadline.class)
class HeaderDeadlineTest {

    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.http.header-deadline", "2S");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Test
    @Timeout(30)
    void aClientTricklingItsHeadersIsClosedAtTheDeadlineWhileOthersAreServed() throws Exception {
        try (Socket trickler = connect()) {
            trickleUntilClosed(trickler, () -> {
                HttpResponse<String> models = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                        .send(HttpRequest.newBuilder(URI.create(base + "api/models")).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(200, models.statusCode(), models::body);
            });
        }
    }

    /** The deadline is each request's: a kept-alive connection's second request, trickled, is closed too. */
    @Test
    @Timeout(30)
    void aKeptAliveConnectionTricklingItsNextRequestIsClosedAtTheDeadline() throws Exception {
        try (Socket kept = connect()) {
            send(kept, "GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            kept.setSoTimeout(10_000);
            assertTrue(readHead(kept.getInputStream()).startsWith("HTTP/1.1 200"));
            trickleUntilClosed(kept, () -> {});
        }
    }

    /**
     * Sends a request line, then a header line a second and never the blank line; {@code beside} runs during the
     * trickle. Asserts the server closed the connection between 2 s and 6 s after the request's first byte (the idle
     * timeout is 2 minutes), with a 408 naming the setting when the answer could be read before the close.
     */
    private void trickleUntilClosed(Socket socket, Beside beside) throws Exception {
        long start = System.nanoTime();
        send(socket, "GET /api/models HTTP/1.1\r\n");
        String answer = null;
        socket.setSoTimeout(1000);
        for (int line = 0; line < 12 && answer == null; line++) {
            try {
                send(socket, "X-Slow-" + line + ": a\r\n");
            } catch (IOException closed) {
                answer = ""; // closed before this line could be written
                break;
            }
            if (line == 0) {
                beside.run();
            }
            answer = readUntilClosed(socket); // null: still open after a second
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(answer != null, "the trickling client was still open after 12 s");
        assertTrue(seconds >= 1.9 && seconds < 6, "closed by the 2 s deadline, not the 2 min idle timeout: " + seconds + " s");
        if (!answer.isEmpty()) {
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("lensboard.http.header-deadline"), answer);
        }
    }

    /** What a test does while a client trickles. */
    private interface Beside {
        void run() throws Exception;
    }

    @Test
    @Timeout(30)
    void aWholeRequestSentSlowlyWithinTheDeadlineIsServed() throws Exception {
        try (Socket slow = connect()) {
            for (String piece : new String[] {"GET /api/models HTTP/1.1\r\n", "Host: 127.0.0.1\r\n", "Connection: close\r\n", "\r\n"}) {
                send(slow, piece);
                Thread.sleep(400);
            }
            slow.setSoTimeout(10_000);
            String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    @Test
    @Timeout(30)
    void aKeptAliveConnectionIdlePastTheDeadlineServesItsNextRequest() throws Exception {
        try (Socket kept = connect()) {
            send(kept, "GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            kept.setSoTimeout(10_000);
            assertTrue(readHead(kept.getInputStream()).startsWith("HTTP/1.1 200"));
            Thread.sleep(3000); // past the 2 s deadline, well within the idle timeout
            send(kept, "GET /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            String rest = new String(kept.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(rest.contains("HTTP/1.1 200"), rest);
        }
    }

    /** What the server sent up to its close; null if it is still open after the socket's timeout. */
    private static String readUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            for (int b; (b = in.read()) >= 0; ) {
                got.write(b);
            }
            return got.toString(StandardCharsets.UTF_8);
        } catch (SocketTimeoutException open) {
            return got.size() > 0 ? readMore(socket, got) : null;
        } catch (IOException reset) {
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    /** An answer has begun: read it to the close. */
    private static String readMore(Socket socket, ByteArrayOutputStream got) throws IOException {
        socket.setSoTimeout(5000);
        got.write(socket.getInputStream().readAllBytes());
        return got.toString(StandardCharsets.UTF_8);
    }

    /** One answer's status line, headers and body (by its Content-Length). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = text.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .mapToInt(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        in.readNBytes(length);
        return text;
    }
}
