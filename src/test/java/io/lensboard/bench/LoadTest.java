package io.lensboard.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load against a running lensboard on 127.0.0.1 (not in CI): {@code viewers} SSE viewers follow one input
 * reconstruction over {@code /api/runs/{id}/events} while {@code streams} clients request lens streams over
 * {@code /api/lens/stream} back to back, for {@code seconds}; then the run is cancelled. Reports events lost
 * (each viewer must see every event id of the run, 1..N in order, none missing or repeated, ending with
 * {@code done}) and the lens streams' p50/p99 latency and failures.
 * Run: start lensboard, then {@code ./mvnw -Pbench-load verify -Dload.url=http://127.0.0.1:8080} (see README).
 */
public final class LoadTest {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        URI base = URI.create(System.getProperty("load.url", "http://127.0.0.1:8080"));
        if (!"127.0.0.1".equals(base.getHost()) && !"localhost".equals(base.getHost())) {
            throw new IllegalArgumentException("load.url must be on 127.0.0.1, not " + base);
        }
        int viewers = Integer.getInteger("load.viewers", 100);
        int streams = Integer.getInteger("load.streams", 100);
        int seconds = Integer.getInteger("load.seconds", 60);
        String model = System.getProperty("load.model", "gpt2-tiny");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

        // One long run, cancelled when the time is up: its viewers must then each have received all of its events.
        String runBody = "{\"kind\":\"reconstruction\",\"model\":\"" + model + "\",\"params\":{\"prompt\":\"The sky is blue.\","
                + "\"steps\":100000,\"decode_every\":10}}";
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(base.resolve("/api/runs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(runBody)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = ID.matcher(created.body());
        if (created.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("could not start the run: " + created.statusCode() + " " + created.body());
        }
        String run = m.group(1);
        System.out.printf("run %s; %d viewers, %d lens streams, %d s against %s%n", run, viewers, streams, seconds, base);

        ExecutorService pool = Executors.newFixedThreadPool(viewers + streams);
        List<Future<List<Long>>> seen = new ArrayList<>();
        for (int v = 0; v < viewers; v++) {
            seen.add(pool.submit(() -> follow(http, base.resolve("/api/runs/" + run + "/events"), seconds)));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger counter = new AtomicInteger();
        List<Future<?>> lensers = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            lensers.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    // a different prompt each time, so the lens cache does not answer it
                    String prompt = "load%20test%20number%20" + counter.incrementAndGet();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/lens/stream?model=" + model
                                + "&prompt=" + prompt)).timeout(Duration.ofSeconds(seconds + 60L)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || !r.body().contains("event:done") && !r.body().contains("event: done")) {
                            failures.add(r.statusCode() + " " + tail(r.body()));
                        } else {
                            latencies.add(System.nanoTime() - t0);
                        }
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : lensers) {
            f.get();
        }
        TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime())); // the viewers' minute, with or without lens streams
        http.send(HttpRequest.newBuilder(base.resolve("/api/runs/" + run + "/cancel")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());

        int lost = 0;
        int perfect = 0;
        long expected = -1;
        for (Future<List<Long>> f : seen) {
            List<Long> ids = f.get(120, TimeUnit.SECONDS);
            expected = Math.max(expected, ids.isEmpty() ? 0 : ids.get(ids.size() - 1));
        }
        for (Future<List<Long>> f : seen) {
            List<Long> ids = f.get();
            boolean inOrder = true;
            for (int i = 0; i < ids.size(); i++) {
                inOrder &= ids.get(i) == i + 1;
            }
            lost += (int) (expected - ids.size());
            perfect += inOrder && ids.size() == expected ? 1 : 0;
        }
        pool.shutdownNow();

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("%n## lensboard load, %s, %d cores%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors());
        System.out.printf("- run viewers: %d, each should see %d events; %d saw every id 1..%d in order; events lost or repeated in all: %d%n",
                viewers, expected, perfect, expected, lost);
        System.out.printf("- lens streams: %d completed, %d failed; latency p50 %d ms, p99 %d ms, max %d ms%n", sorted.size(), failures.size(),
                pct(sorted, 0.50), pct(sorted, 0.99), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1_000_000);
        failures.stream().limit(5).forEach(f -> System.out.println("  failure: " + f));
    }

    /** A viewer: the ids of the run's events, in the order received, until the stream ends (after {@code done}). */
    private static List<Long> follow(HttpClient http, URI events, int seconds) throws IOException, InterruptedException {
        List<Long> ids = new ArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(events).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(seconds + 120L)).build(), HttpResponse.BodyHandlers.ofLines());
        try (var lines = r.body()) {
            var it = lines.iterator();
            boolean done = false;
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id:")) {
                    ids.add(Long.parseLong(line.substring(3).trim()));
                } else if (line.startsWith("event:") && line.substring(6).trim().equals("done")) {
                    done = true;
                } else if (line.isEmpty() && done) {
                    break; // the end of the done event
                }
            }
        }
        return ids;
    }

    private static long pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) / 1_000_000;
    }

    private static String tail(String body) {
        return body.length() > 200 ? body.substring(body.length() - 200) : body;
    }
}
