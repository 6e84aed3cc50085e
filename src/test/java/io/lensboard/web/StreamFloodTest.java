package io.lensboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import io.lensboard.runs.RunStore;
import io.lensboard.testing.Await;
import io.lensboard.web.common.LiveStreams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 26, item 1: hundreds of viewers that never read a run's long history. Each open stream holds a page of events
 * at most (not the history, not a queue), so the heap stays put; past the caps (here 200 per client, 240 in all)
 * a viewer is answered 503 with Retry-After; a viewer that reads nothing is disconnected after the stall (here 6 s);
 * and the models list and a lens answer within seconds throughout. Loopback only, 242 sockets, done in seconds.
 */
@QuarkusTest
@TestProfile(StreamFloodTest.SmallCaps.class)
class StreamFloodTest {
    /** About 6 MB of history, each event its own string: held whole per viewer, 240 viewers would fill 1 GB and more. */
    private static final int EVENTS = 30_000;
    /** Long enough for the heap to be measured while every viewer is still open. */
    private static final Duration STALL = Duration.ofSeconds(6);
    private static final int PER_CLIENT = 200;
    private static final int TOTAL = 240;

    public static class SmallCaps implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.streams.max", String.valueOf(TOTAL),
                    "lensboard.streams.max-per-client", String.valueOf(PER_CLIENT),
                    "lensboard.streams.stall", STALL.toSeconds() + "S",
                    "lensboard.streams.retry-after", "7");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Inject
    DataSource db;

    @Inject
    LiveStreams streams;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void viewersThatDoNotReadAreCappedBoundedAndClosed() throws Exception {
        Fixtures.root();
        String id = longRun();

        // a viewer that reads gets every event once, in order, a page at a time, and the stream ends after done
        long after = EVENTS - 1000;
        HttpResponse<String> tail = http.send(HttpRequest.newBuilder(URI.create(base + "api/runs/" + id + "/events"))
                .header("Last-Event-ID", String.valueOf(after)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        List<Long> ids = tail.body().lines().filter(l -> l.startsWith("id:")).map(l -> Long.parseLong(l.substring(3).trim())).toList();
        assertEquals(1001, ids.size(), "every stored event after Last-Event-ID, done included");
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(after + 1 + i, ids.get(i), "event ids in order, none missing or repeated");
        }
        assertAnswers("before the flood");

        long heapBefore = usedHeap();
        List<Socket> viewers = new ArrayList<>();
        try {
            InetAddress here = InetAddress.getByName("127.0.0.1");
            InetAddress other = InetAddress.getByName("127.0.0.2"); // a second client address, on the same loopback
            for (int i = 0; i < PER_CLIENT; i++) {
                viewers.add(openEvents(here, id));
            }
            Await.until("the server to admit " + PER_CLIENT + " streams", Duration.ofSeconds(20), () -> streams.open() == PER_CLIENT);
            assertBusy(openEvents(here, id), "lensboard.streams.max-per-client");

            for (int i = PER_CLIENT; i < TOTAL; i++) {
                viewers.add(openEvents(other, id));
            }
            Await.until("the server to admit " + TOTAL + " streams", Duration.ofSeconds(20), () -> streams.open() == TOTAL);
            assertBusy(openEvents(other, id), "lensboard.streams.max");
            assertAnswers("during the flood");

            // until the server has closed every viewer, the heap (after a GC) at its highest
            long peak = 0;
            long end = System.nanoTime() + STALL.plusSeconds(60).toNanos(); // viewers wait their turn for the 4 store readers before they can stall
            while (streams.open() > 0 && System.nanoTime() < end) {
                peak = Math.max(peak, usedHeap() - heapBefore);
                Thread.sleep(300);
            }
            System.out.printf("StreamFloodTest: %d viewers of %d events, heap growth at most %d MiB%n", TOTAL, EVENTS, peak >> 20);
            assertTrue(peak < 200L << 20, "the heap grew by " + (peak >> 20) + " MiB for " + TOTAL
                    + " viewers of a " + EVENTS + "-event history");
            assertEquals(0, streams.open(), "every viewer that reads nothing is disconnected after its stall");
            for (Socket s : viewers.subList(0, 3)) {
                assertClosedByServer(s);
            }
        } finally {
            for (Socket s : viewers) {
                s.close();
            }
        }
        assertAnswers("after the flood");
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "api/runs/" + id + "/events"))
                .header("Last-Event-ID", String.valueOf(EVENTS - 5)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "a new viewer is admitted once the slots are free");
    }

    /** A finished run with {@value #EVENTS} stored events of about 200 bytes, then done. */
    private String longRun() throws SQLException {
        ObjectMapper json = new ObjectMapper();
        RunStore store = new RunStore(db, json);
        String id = "flood" + UUID.randomUUID().toString().substring(0, 5);
        store.insert(new RunRecord(id, "reconstruction", "gpt2-tiny", json.createObjectNode().put("prompt", "x"),
                RunState.QUEUED, null, null, Instant.now(), null, null));
        try (Connection c = db.getConnection();
             PreparedStatement st = c.prepareStatement("INSERT INTO run_events (run_id, seq, type, data) VALUES (?, ?, ?, ?)")) {
            for (int seq = 1; seq <= EVENTS; seq++) {
                st.setString(1, id);
                st.setLong(2, seq);
                st.setString(3, "step");
                st.setString(4, "{\"step\":" + seq + ",\"text\":\"" + "x".repeat(180) + "\"}");
                st.addBatch();
            }
            st.executeBatch();
        }
        store.state(id, RunState.DONE, null);
        store.append(id, new RunEvent(EVENTS + 1, "done", "{\"state\":\"done\"}"));
        return id;
    }

    /** A viewer from {@code from} that asks for the run's events and then never reads (a small receive buffer). */
    private Socket openEvents(InetAddress from, String id) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        s.getOutputStream().write(("GET /api/runs/" + id + "/events HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** The viewer past a cap: 503, Retry-After, and a JSON body naming the setting. */
    private static void assertBusy(Socket s, String setting) throws IOException {
        try (s) {
            s.setSoTimeout(10_000);
            String answer = readAll(s.getInputStream(), 4096);
            assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
            assertTrue(answer.toLowerCase().contains("\r\nretry-after: 7\r\n"), answer);
            assertTrue(answer.contains("application/json") && answer.contains(setting), answer);
        }
    }

    /** The server closed the connection: reading ends (what the socket's buffers held first) instead of blocking. */
    private static void assertClosedByServer(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        try {
            readAll(s.getInputStream(), Integer.MAX_VALUE);
        } catch (java.net.SocketException reset) {
            return; // reset by the server: closed too
        }
    }

    /** Reads to the end of the stream (or {@code limit} bytes, or up to an empty body for a short answer). */
    private static String readAll(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while (out.size() < limit && (n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            String s = out.toString(StandardCharsets.UTF_8);
            int head = s.indexOf("\r\n\r\n");
            if (limit < Integer.MAX_VALUE && head >= 0 && s.contains("}")) {
                break; // a short JSON answer is complete; its connection may stay open
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The models list and a lens, each within seconds. */
    private void assertAnswers(String when) throws Exception {
        for (String path : List.of("api/models", "api/lens?model=gpt2-tiny&prompt=Once%20upon&topk=3")) {
            long start = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.statusCode(), when + ": " + path + " " + r.body());
            assertTrue(ms < 10_000, when + ": " + path + " took " + ms + " ms");
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
