package io.lensboard.testing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.path.json.JsonPath;
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
        return given().contentType("application/json").body(Map.of("kind", kind, "model", model, "params", params))
                .post("/api/runs").then().statusCode(201).extract().path("id");
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

    /** Every event of the run, as "id:type". */
    public static List<String> events(String id) {
        return events(id, null);
    }

    /** The types of every event of the run, in order. */
    public static List<String> eventTypes(String id) {
        return events(id).stream().map(e -> e.split(":")[1]).toList();
    }
}
