package io.lensboard.web;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that open a connection and stall (issue 26 item 2), bounded: 300 loopback sockets that send half a request's
 * headers and nothing more. The API answers beside them, and the server closes them once the idle timeout (2 s here,
 * 2 minutes by default) has passed; every socket is closed by the test at the end whatever happens.
 */
@QuarkusTest
@TestProfile(SlowClientsTest.ShortIdleTimeout.class)
class SlowClientsTest {
    private static final int SOCKETS = 300;

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "2S");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void stalledClientsAreClosedAndOthersAreServed() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < SOCKETS; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
                socket.getOutputStream().write("GET /api/models HTTP/1.1\r\nHost: local".getBytes(StandardCharsets.US_ASCII));
                stalled.add(socket);
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long start = System.nanoTime();
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(base + "api/models"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, models.statusCode(), models::body);
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "the models list took over 5 s beside stalled clients");

            long deadline = System.currentTimeMillis() + 20_000;
            int open = 0;
            for (Socket socket : stalled) {
                if (!closedByServer(socket, deadline)) {
                    open++;
                }
            }
            assertEquals(0, open, open + " of " + SOCKETS + " stalled connections were still open 20 s after the 2 s idle timeout");
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /** Whether the server closed this connection (end of stream, after an answer or none, or a reset) before the deadline. */
    private static boolean closedByServer(Socket socket, long deadline) throws IOException {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
            return false;
        }
        socket.setSoTimeout((int) left);
        try {
            socket.getInputStream().readAllBytes(); // returns at end of stream, whatever the server said before closing
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
