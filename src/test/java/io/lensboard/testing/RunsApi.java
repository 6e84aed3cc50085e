package io.lensboard.testing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runs API as a test drives it, against the application under test (RestAssured's port): submit through
 * {@code POST /api/runs}, wait for a state, read the run and its events.
 */
public final class RunsApi {
    /** The states a run does not leave. */
    public static final Set<String> FINISHED = Set.of("done", "failed", "cancelled", "interrupted");
    /** Generous: the slowest run a test starts (a tuned lens on 2 busy cores) takes well under a minute. */
    private static final Duration LIMIT = Duration.ofMinutes(3);
    private static final Pattern EVENT = Pattern.compile("(?m)^id: ?(\\d+)\\R(?:.*\\R)*?event: ?(\\w+)|(?m)^event: ?(\\w+)\\R(?:.*\\R)*?id: ?(\\d+)");

    private RunsApi() {}

    /** Submits a run and returns its id; anything but 201 fails the test. */
    public static String start(String kind, String model, Map<String, Object> params) {
        return submit(Map.of("kind", kind, "model", model, "params", params));
    }

    /** Submits a run given as the whole request body (for fields beyond kind, model and params); anything but 201 fails the test. */
    public static String submit(Map<String, Object> body) {
        return given().contentType("application/json").body(body).post("/api/runs").then().statusCode(201).extract().path("id");
    }

    /** {@code GET /api/runs/{id}}. */
    public static JsonPath run(String id) {
        return given().get("/api/runs/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Waits until the run is in one of {@code states} and returns it as it was then. */
    public static JsonPath await(String id, Set<String> states) {
        return Await.until("run " + id + " to be " + String.join(" or ", states.stream().sorted().toList()), LIMIT,
                () -> run(id), run -> states.contains(run.getString("state")));
    }

    /** Waits until the run has finished, however it finished. */
    public static JsonPath finished(String id) {
        return await(id, FINISHED);
    }

    /** Waits until the run has finished and fails unless it is done; returns it. */
    public static JsonPath done(String id) {
        JsonPath run = finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        return run;
    }

    /** The events a viewer connecting now gets, as "id:type", resuming after {@code lastEventId} when it is not null. */
    public static List<String> events(String id, String lastEventId) {
        var request = given();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        String body = request.get("/api/runs/" + id + "/events").then().statusCode(200).extract().asString();
        Matcher m = EVENT.matcher(body);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) + ":" + m.group(2) : m.group(4) + ":" + m.group(3));
        }
        return out;
    }

    /**
     * Follows the run's event stream live until an event of {@code type} arrives, then leaves it; fails if the stream
     * ends first or nothing arrives for {@code LIMIT}. For a run still going, whose stream {@link #events} would wait out.
     */
    public static void awaitEvent(String id, String type) {
        String what = "a '" + type + "' event of run " + id;
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/runs/" + id + "/events").toURL().openConnection();
            c.setRequestProperty("Accept", "text/event-stream");
            c.setReadTimeout((int) LIMIT.toMillis());
            assertEquals(200, c.getResponseCode(), what);
            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.matches("event: ?" + Pattern.quote(type))) {
                    return;
                }
            }
            throw new AssertionError("the event stream ended without " + what);
        } catch (IOException e) {
            throw new AssertionError("waited for " + what + ": " + e, e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** Every event of the run, as "id:type". */
    public static List<String> events(String id) {
        return events(id, null);
    }

    /** The types of every event of the run, in order. */
    public static List<String> eventTypes(String id) {
        return events(id).stream().map(e -> e.split(":")[1]).toList();
    }
}
