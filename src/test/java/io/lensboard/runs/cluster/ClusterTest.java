package io.lensboard.runs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.testing.Await;
import io.lensboard.testing.RunsApi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two lensboard replicas (child JVMs, {@link ReplicaProcess}) on one real PostgreSQL started by the test: runs
 * submitted to either run exactly once, a viewer on one replica follows a run the other executes, a cancel asked on
 * one stops a run on the other, a run whose replica is killed (SIGKILL) is queued again and finished by the other, from
 * its checkpoint. Short lease (6 s), heartbeat (1 s) and checkpoint interval (1 s) here; the warm wait is long (60 s),
 * so a run whose model A holds warm is A's. Skips when PostgreSQL cannot start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("cluster")
class ClusterTest {
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final String MODEL = "stories260K";
    /** Loaded on replica A only: its runs wait for A (warm) rather than go to B. */
    private static final String WARM_ON_A = "stories260K:untrained";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static Postgres postgres;
    private static Child a;
    private static Child b;
    /** Started for the last test (A is dead by then), to be killed in turn. */
    private static Child c;

    /** A replica: its process, id and URL. */
    record Child(String id, Process process, String url) {}

    @BeforeAll
    static void startCluster() throws Exception {
        try {
            postgres = Postgres.start();
        } catch (Exception e) {
            Assumptions.assumeTrue(false, "PostgreSQL could not start, so the cluster is not tested: " + e.getMessage());
        }
        Fixtures.dir(MODEL);
        CompletableFuture<Child> startA = CompletableFuture.supplyAsync(() -> start("a"));
        CompletableFuture<Child> startB = CompletableFuture.supplyAsync(() -> start("b"));
        a = startA.join();
        b = startB.join();
        Await.until("both replicas to report to the cluster", Duration.ofSeconds(30), () -> get(a, "/api/cluster").get("replicas").size() == 2);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (Child r : new Child[] {a, b, c}) {
            if (r != null) {
                r.process().getOutputStream().close(); // ReplicaProcess ends when its input closes
                if (!r.process().waitFor(30, TimeUnit.SECONDS)) {
                    r.process().destroyForcibly();
                }
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void twentyRunsSubmittedAlternatelyToAAndBEachRunExactlyOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(submit(i % 2 == 0 ? a : b, MODEL, 3));
        }
        Set<String> replicas = new HashSet<>();
        for (String id : ids) {
            JsonNode run = awaitFinished(b, id, Duration.ofSeconds(120));
            assertEquals("done", run.get("state").asText(), id + ": " + run);
            assertEquals(1, run.get("attempts").asInt(), id + " started once");
            replicas.add(run.get("replica").asText());
            List<JsonNode> events = events(a, id);
            assertInOrder(id, events);
            assertEquals(1, events.stream().filter(e -> e.get("type").asText().equals("state") && e.get("data").get("state").asText().equals("running"))
                    .count(), id + " ran once: " + events);
            assertEquals(3, events.stream().filter(e -> e.get("type").asText().equals("step")).count(), id + " has its 3 steps once");
        }
        assertTrue(Set.of("a", "b").containsAll(replicas), "the runs ran on the two replicas: " + replicas);
    }

    @Test
    @Order(2)
    void aViewerOnBSeesEveryEventOfARunExecutedByAInOrder() throws Exception {
        loadOnA();
        String id = submit(b, WARM_ON_A, 50);
        List<JsonNode> seen = events(b, id); // connected at once: replay, then live until done
        assertEquals("a", get(b, "/api/runs/" + id).get("replica").asText(), "A holds the model warm, so A ran it");
        assertInOrder(id, seen);
        assertEquals("done", seen.get(seen.size() - 1).get("data").get("state").asText());
        assertEquals(50, seen.stream().filter(e -> e.get("type").asText().equals("step")).count(), "every step reached B's viewer");
        assertEquals(events(a, id).toString(), seen.toString(), "B's viewer saw what A stored");
    }

    @Test
    @Order(3)
    void aCancelAskedOnBStopsARunningRunOnAAndTheHomePageShowsBothReplicas() throws Exception {
        loadOnA();
        String id = submit(b, WARM_ON_A, 100000);
        Await.until(id + " to be running", Duration.ofSeconds(120), () -> get(b, "/api/runs/" + id).get("state").asText().equals("running"));
        JsonNode asked = JSON.readTree(send(b, "POST", "/api/runs/" + id + "/cancel", "").body());
        assertEquals(id, asked.get("id").asText());
        JsonNode run = awaitFinished(a, id, Duration.ofSeconds(60));
        assertEquals("cancelled", run.get("state").asText(), run.toString());
        assertEquals("a", run.get("replica").asText());

        String home = send(b, "GET", "/", null).body();
        assertTrue(home.contains("class=\"cluster\"") && home.contains(">a</a>") && home.contains(">b</a>"),
                "the home page lists both replicas: " + home);
    }

    @Test
    @Order(4)
    void aViewerOnBMissesNothingWhileBsListenConnectionIsDroppedAndReconnects() throws Exception {
        loadOnA();
        String id = submit(b, WARM_ON_A, 100000);
        CompletableFuture<List<JsonNode>> seen = CompletableFuture.supplyAsync(() -> {
            try {
                return events(b, id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until(id + " to be running", Duration.ofSeconds(120), () -> get(b, "/api/runs/" + id).get("state").asText().equals("running"));
        for (int i = 0; i < 3; i++) {
            long before = storedEvents(id);
            assertEquals(1, dropListenConnection("b"), "B had one LISTEN connection to drop");
            Thread.sleep(2500); // B reconnects after a second; A goes on storing and notifying steps meanwhile
            assertTrue(storedEvents(id) > before + 10, "A emitted events while B was not listening");
        }
        send(b, "POST", "/api/runs/" + id + "/cancel", "");
        List<JsonNode> got = seen.get(120, TimeUnit.SECONDS);
        assertInOrder(id, got);
        assertEquals("cancelled", got.get(got.size() - 1).get("data").get("state").asText());
        assertEquals(events(a, id).toString(), got.toString(), "B's viewer got every event A stored, each once");
    }

    /** Ends the replica's LISTEN connection as a network failure would; returns how many connections were ended. */
    private static int dropListenConnection(String replica) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.url(), "lensboard", null);
             PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     + " WHERE application_name = ? AND query LIKE 'LISTEN %'")) {
            st.setString(1, "replica-" + replica);
            int n = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    n += rs.getBoolean(1) ? 1 : 0;
                }
            }
            return n;
        }
    }

    private static long storedEvents(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.url(), "lensboard", null);
             PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM run_events WHERE run_id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    @Order(5)
    void killingTheReplicaRunningARunRequeuesItAndTheOtherFinishesIt() throws Exception {
        loadOnA();
        String id = submit(b, WARM_ON_A, 100);
        List<JsonNode> seen = new ArrayList<>();
        long[] killedAt = {0};
        followOn(b, id, e -> {
            seen.add(e);
            if (killedAt[0] == 0 && e.get("type").asText().equals("step")) {
                a.process().destroyForcibly(); // SIGKILL: no shutdown, the lease just stops being renewed
                killedAt[0] = System.nanoTime();
            }
        });
        assertTrue(killedAt[0] != 0, "A was running the run when it was killed");
        JsonNode run = get(b, "/api/runs/" + id);
        assertEquals("done", run.get("state").asText(), run.toString());
        assertEquals("b", run.get("replica").asText(), "B finished it");
        assertEquals(2, run.get("attempts").asInt(), "the second attempt finished it");
        assertInOrder(id, seen);
        JsonNode requeued = seen.stream().filter(e -> e.get("type").asText().equals("state") && e.get("data").get("state").asText().equals("queued")
                && e.get("data").has("reason")).findFirst().orElseThrow(() -> new AssertionError("no re-queue event: " + seen));
        assertEquals(1, requeued.get("data").get("attempts").asInt());
        assertTrue(seen.stream().anyMatch(e -> e.get("type").asText().equals("step") && e.get("seq").asLong() > requeued.get("seq").asLong()),
                "B ran steps after the re-queue");
        assertEquals(1, get(b, "/api/cluster").get("replicas").size(), "A dropped out of the cluster once its heartbeat was old");
    }

    /**
     * Issue 23: a run whose replica is killed mid-run goes on from its checkpoint on the other replica: the step numbers
     * continue (each step once), its events are one sequence without a gap or a duplicate, and its result and steps are
     * those of an uninterrupted run of the same parameters. C holds the run's model warm, so C runs it; B takes it over.
     */
    @Test
    @Order(6)
    void aRunWhoseReplicaIsKilledContinuesFromItsCheckpointOnTheOther() throws Exception {
        c = start("c");
        send(c, "POST", "/api/models/load?model=" + RESUMED_MODEL, "");
        Await.until("C to report " + RESUMED_MODEL + " warm", Duration.ofSeconds(60),
                () -> get(b, "/api/cluster").get("replicas").toString().contains("\"" + RESUMED_MODEL + "\""));
        String id = submitAscent();
        CompletableFuture<List<JsonNode>> seen = CompletableFuture.supplyAsync(() -> {
            try {
                return events(b, id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int saved = Await.until("a checkpoint of " + id, Duration.ofSeconds(300), () -> checkpointStep(id), step -> step > 0);
        c.process().destroyForcibly(); // SIGKILL, between two checkpoints: B recomputes the steps after the last one silently
        List<JsonNode> got = seen.get(600, TimeUnit.SECONDS);

        JsonNode run = get(b, "/api/runs/" + id);
        assertEquals("done", run.get("state").asText(), run.toString());
        String finisher = run.get("replica").asText(); // B (A too when this test runs alone)
        assertTrue(!finisher.equals("c"), "another replica finished it");
        assertEquals(2, run.get("attempts").asInt(), "C's attempt, then another's");
        assertTrue(Files.readString(Path.of("target", "cluster-test", "replica-" + finisher + ".log"))
                .contains("run " + id + ": resumed from its checkpoint after step "), finisher + " resumed the run rather than start it over");
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i + 1, got.get(i).get("seq").asLong(), id + ": one sequence, without a gap or a duplicate: " + got);
        }
        assertEquals(events(b, id).toString(), got.toString(), "the viewer live through the kill saw what is stored");
        List<JsonNode> steps = steps(got);
        assertEquals(RESUMED_STEPS, steps.size(), "each step once");
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i + 1, steps.get(i).get("step").asInt(), "the step numbers continue from C's to B's");
        }
        assertTrue(saved < RESUMED_STEPS, "C was killed mid-run (its checkpoint after step " + saved + ")");
        assertEquals(0, checkpointRows(id), "the finished run's checkpoint is gone");

        String twin = submitAscent(); // C is dead: this one is never interrupted
        JsonNode uninterrupted = awaitFinished(b, twin, Duration.ofSeconds(600));
        assertEquals(1, uninterrupted.get("attempts").asInt());
        assertEquals(uninterrupted.get("result").toString(), run.get("result").toString(), "the result of an uninterrupted run");
        assertEquals(steps(events(b, twin)).toString(), steps.toString(), "the steps of an uninterrupted run, to the bit");
    }

    private static final String RESUMED_MODEL = "gpt2-tiny";
    private static final int RESUMED_STEPS = 300;

    private static String submitAscent() throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("kind", "ascent").put("model", RESUMED_MODEL)
                .set("params", JSON.createObjectNode().put("layer", 2).put("feature", "[:, :, 7]").put("steps", RESUMED_STEPS).put("seed", 7)));
        HttpResponse<String> r = send(b, "POST", "/api/runs", body);
        assertEquals(201, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    /** The data of the run's step events, in order. */
    private static List<JsonNode> steps(List<JsonNode> events) {
        return events.stream().filter(e -> e.get("type").asText().equals("step")).map(e -> e.get("data")).toList();
    }

    /** The step of the run's stored checkpoint, 0 when it has none. */
    private static int checkpointStep(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.url(), "lensboard", null);
             PreparedStatement st = c.prepareStatement("SELECT step FROM run_checkpoints WHERE run_id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private static int checkpointRows(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.url(), "lensboard", null);
             PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM run_checkpoints WHERE run_id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void loadOnA() throws Exception {
        send(a, "POST", "/api/models/load?model=" + WARM_ON_A, "");
        Await.until("A to report " + WARM_ON_A + " warm", Duration.ofSeconds(60), () -> {
            for (JsonNode r : get(b, "/api/cluster").get("replicas")) {
                if (r.get("id").asText().equals("a") && r.get("models").toString().contains("\"" + WARM_ON_A + "\"")) {
                    return true;
                }
            }
            return false;
        });
    }

    private static String submit(Child to, String model, int steps) throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("kind", "reconstruction").put("model", model)
                .set("params", JSON.createObjectNode().put("prompt", "Once upon a time").put("steps", steps).put("decode_every", steps)));
        HttpResponse<String> r = send(to, "POST", "/api/runs", body);
        assertEquals(201, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    /**
     * Event ids from 1, each once, in increasing order (RunFeed skips only the stored {@code embedding} events, which
     * no viewer gets; whether a viewer missed any other is checked against what another replica's viewer gets).
     */
    private static void assertInOrder(String id, List<JsonNode> events) {
        assertEquals(1, events.get(0).get("seq").asLong(), id + " starts at event 1");
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).get("seq").asLong() > events.get(i - 1).get("seq").asLong(), id + ": events out of order or repeated: " + events);
        }
    }

    private static JsonNode awaitFinished(Child on, String id, Duration limit) {
        return Await.until(id + " to finish", limit, () -> get(on, "/api/runs/" + id), run -> RunsApi.FINISHED.contains(run.get("state").asText()));
    }

    /** A run's events from a viewer on {@code on}: replay, then live, until done. */
    private static List<JsonNode> events(Child on, String id) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        followOn(on, id, out::add);
        return out;
    }

    interface EventSink {
        void accept(JsonNode event) throws Exception;
    }

    /** Reads /api/runs/{id}/events (SSE) until the stream ends; each event as {"seq","type","data"}. */
    private static void followOn(Child on, String id, EventSink sink) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(on.url() + "api/runs/" + id + "/events")).timeout(Duration.ofSeconds(180)).build();
        HttpResponse<Stream<String>> r = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        String[] seq = {null};
        String[] type = {null};
        StringBuilder data = new StringBuilder();
        for (String line : (Iterable<String>) r.body()::iterator) {
            if (line.startsWith("id:")) {
                seq[0] = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                type[0] = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).trim());
            } else if (line.isEmpty() && type[0] != null) {
                sink.accept(JSON.createObjectNode().put("seq", Long.parseLong(seq[0])).put("type", type[0]).set("data", JSON.readTree(data.toString())));
                type[0] = null;
                data.setLength(0);
            }
        }
    }

    private static JsonNode get(Child on, String path) throws Exception {
        HttpResponse<String> r = send(on, "GET", path, null);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> send(Child to, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(to.url() + path.substring(1))).timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.GET();
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts replica {@code id} against the test's PostgreSQL and waits for its URL; its output goes to target/cluster-test. */
    private static Child start(String id) {
        try {
            Path log = Path.of("target", "cluster-test", "replica-" + id + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    "-Dshared.fixtures=" + System.getProperty("shared.fixtures", "../shared/fixtures"),
                    "-Dlensboard.cluster.lease=" + LEASE.toSeconds() + "S", "-Dlensboard.cluster.heartbeat=1S",
                    "-Dlensboard.cluster.warm-wait=60S", "-Dlensboard.cluster.checkpoint-every=1S", "-D%test.lensboard.runs.queue-limit=64",
                    "-D%test.lensboard.data-dir=target/cluster-test/data-" + id,
                    "-cp", System.getProperty("java.class.path"), ReplicaProcess.class.getName()).redirectErrorStream(true);
            pb.environment().put("LENSBOARD_DB_URL", postgres.url() + "?ApplicationName=replica-" + id); // to find its connections
            pb.environment().put("LENSBOARD_DB_USER", "lensboard");
            pb.environment().put("LENSBOARD_REPLICA_ID", id);
            Process p = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> url = new CompletableFuture<>();
            Thread drain = new Thread(() -> {
                try (var w = Files.newBufferedWriter(log)) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        w.write(line);
                        w.newLine();
                        w.flush();
                        if (line.startsWith(ReplicaProcess.READY)) {
                            url.complete(line.substring(ReplicaProcess.READY.length()).trim());
                        }
                    }
                } catch (IOException ignored) {
                    // the child is gone
                }
                url.completeExceptionally(new AssertionError("replica " + id + " ended before it served; see " + log));
            }, "replica-" + id + "-output");
            drain.setDaemon(true);
            drain.start();
            String u = url.get(240, TimeUnit.SECONDS);
            return new Child(id, p, u.endsWith("/") ? u : u + "/");
        } catch (Exception e) {
            throw new IllegalStateException("replica " + id + " did not start: " + e, e);
        }
    }
}
