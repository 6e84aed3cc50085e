package io.lensboard.web.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.runs.RunState;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run's page receives for each of its events: HTML fragments for htmx to swap ({@code state},
 * {@code progress}, the kind's own fragment named after the event, and {@code result} then {@code done} at the
 * end), and the event's data as JSON ({@code data}, with the run's sequence number as id, its tokens visible) for the charts.
 */
final class RunPageStream {
    private final Sse sse;
    private final RunViews views;
    private final RunService runs;
    private final ObjectMapper json;
    private RunRecord run;

    RunPageStream(Sse sse, RunViews views, RunService runs, ObjectMapper json, RunRecord run) {
        this.sse = sse;
        this.views = views;
        this.runs = runs;
        this.json = json;
        this.run = run;
    }

    List<OutboundSseEvent> events(RunEvent e) {
        JsonNode data = e.json();
        List<OutboundSseEvent> out = new ArrayList<>();
        switch (e.type()) {
            case "state" -> {
                run = runs.find(run.id()); // its start time, for the time left
                out.add(html("state", RunFragments.state(data.path("state").asText())));
            }
            case "done" -> {
                run = runs.find(run.id());
                out.add(html("progress", progressLine(1)));
                out.add(html("state", RunFragments.state(run.state().key())));
                out.add(html("result", RunFragments.outcome(run, views.result(run))));
                out.add(html("done", RunFragments.ended(run.state())));
            }
            default -> {
                out.add(sse.newEventBuilder().id(String.valueOf(e.seq())).name("data").mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(write(json.createObjectNode().put("type", e.type()).set("data", views.shown(run, e.type(), data)))).build());
                views.event(run, e.type(), data).ifPresent(html -> out.add(html(e.type(), html)));
                if (data.has("progress")) {
                    out.add(html("progress", progressLine(data.get("progress").asDouble())));
                }
            }
        }
        return out;
    }

    /**
     * The progress bar while the run runs or once it is done (then full: a done run did all its work); a run that
     * stopped without a result (cancelled, failed, interrupted) says so instead, with no bar and no time left.
     */
    private String progressLine(double fraction) {
        RunState state = run.state();
        if (state.finished() && state != RunState.DONE) {
            return RunFragments.stopped(state.key() + (run.startedAt() == null || run.finishedAt() == null ? " before it started"
                    : " after " + seconds(Duration.between(run.startedAt(), run.finishedAt()))));
        }
        return RunFragments.progress(state == RunState.DONE ? 1 : fraction, timing(fraction));
    }

    /** "12 s so far, about 30 s left" while the run runs; "took 42 s" once it is finished. */
    private String timing(double fraction) {
        if (run.startedAt() == null) {
            return "";
        }
        if (run.finishedAt() != null) {
            return "took " + seconds(Duration.between(run.startedAt(), run.finishedAt()));
        }
        Duration elapsed = Duration.between(run.startedAt(), Instant.now());
        return seconds(elapsed) + " so far" + (fraction > 0 && fraction < 1
                ? ", about " + seconds(elapsed.multipliedBy(Math.round(1000 * (1 - fraction) / fraction)).dividedBy(1000)) + " left" : "");
    }

    private static String seconds(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    }

    private OutboundSseEvent html(String name, String html) {
        return sse.newEventBuilder().name(name).data(html.strip()).build();
    }

    private String write(JsonNode node) {
        return node.toString();
    }
}
