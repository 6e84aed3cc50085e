package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.runs.GridCells;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import io.lensboard.testing.RunsApi;
import io.lensboard.web.grids.AlignmentView;
import io.lensboard.web.runs.RunViews;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A token in a run's event is a type ({@code TokenText}), not a field name: pages show it as the lens shows tokens, the
 * API keeps its text, and a field that is merely called "tokens" stays as it is.
 */
@QuarkusTest
class TokenTextPagesTest {

    @Inject
    RunViews views;

    @Inject
    ObjectMapper json;

    @Test
    void runPageShowsEventTokensVisibleWhileTheApiKeepsTheirText() throws Exception {
        Fixtures.root();
        String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "The sky\nis blue.", "steps", 2, "decode_every", 1));
        RunsApi.done(id);

        JsonNode target = data(given().get("/api/runs/" + id + "/events").then().statusCode(200).extract().asString(), "target");
        List<String> raw = texts(target.get("tokens"));
        assertTrue(raw.contains(" sky") && raw.contains("\n"), "the API keeps the tokens' text: " + raw);

        List<String> pageData = new ArrayList<>();
        for (JsonNode d : all(given().get("/runs/" + id + "/live").then().statusCode(200).extract().asString(), "data")) {
            if (d.path("type").asText().equals("target")) {
                pageData = texts(d.path("data").path("tokens"));
                assertEquals(target.get("ids"), d.path("data").get("ids"), "the rest of the event as stored");
                assertEquals(target.get("m"), d.path("data").get("m"));
            }
        }
        assertTrue(pageData.contains("·sky") && pageData.contains("↵"), "the page's chart data shows tokens visibly: " + pageData);
        assertEquals(raw.size(), pageData.size());
    }

    @Test
    void alignmentCellShowsTheTokensOfAnEventByTheirType() throws Exception {
        RunRecord run = new RunRecord("t0k3n", "greedy", "gpt2-tiny", json.readTree("{\"layer\":1,\"feature\":\"[:, :, 0]\"}"),
                RunState.RUNNING, null, null, Instant.now(), Instant.now(), null);
        JsonNode token = json.readTree("""
                {"position":0,"token":{"id":7,"text":" a\\n","value":2.5},"ids":[7],"tokens":[" a\\n"],"values":[2.5]}""");
        AlignmentView.Cell cell = AlignmentView.of(0, 0, new GridCells.Change(0, run, "token", token, null, false, false), views);
        assertEquals(List.of("·a↵"), cell.tokens(), "a TokenText in the kind's token event, shown visibly");
        JsonNode shown = views.shown(run, "token", token);
        assertEquals("·a↵", shown.path("token").path("text").asText(), "a TokenText inside a nested record");
        assertEquals(" a\n", token.path("tokens").get(0).asText(), "the stored data itself is untouched");
        assertEquals(token.get("values"), shown.get("values"));

        // greedy's "batch" event has no tokens: a field of that name in it is no TokenText, and nothing reads it as one
        JsonNode batch = json.readTree("{\"candidates_done\":1,\"candidates_total\":2,\"progress\":0.5,\"tokens\":[\" a\"]}");
        assertEquals(List.of(), AlignmentView.of(0, 0, new GridCells.Change(0, run, "batch", batch, null, false, false), views).tokens());
        assertEquals(" a", views.shown(run, "batch", batch).path("tokens").get(0).asText(), "a field named tokens is not escaped");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(t -> out.add(t.asText()));
        return out;
    }

    /** The data of the first event named {@code name} in an SSE body. */
    private JsonNode data(String sse, String name) throws Exception {
        List<JsonNode> all = all(sse, name);
        assertTrue(!all.isEmpty(), "no '" + name + "' event in " + sse);
        return all.get(0);
    }

    /** The data of every event named {@code name} in an SSE body, as JSON. */
    private List<JsonNode> all(String sse, String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String block : sse.split("\\r?\\n\\r?\\n")) {
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\\r?\\n")) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
            if (name.equals(event)) {
                out.add(json.readTree(data.toString()));
            }
        }
        return out;
    }
}
