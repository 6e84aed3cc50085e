package io.lensboard.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one place grid pages fold their cells' events: store reads on state changes, pictures kept, finished cells quiet. */
class GridCellsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, RunRecord> store = new HashMap<>();
    private int reads;

    private void put(String id, RunState state) {
        store.put(id, new RunRecord(id, "image-ascent", "vit-tiny", JSON.createObjectNode(), state, null,
                state == RunState.DONE ? JSON.createObjectNode().put("loss", 1.5) : null, Instant.EPOCH, null, null));
    }

    private GridCells cells() {
        put("a", RunState.QUEUED);
        put("b", RunState.DONE);
        return new GridCells(List.of("a", "b"), id -> {
            reads++;
            return store.get(id);
        }, (run, type, data) -> type.equals("step") && data.has("snapshot") ? data.get("snapshot").asText() : null);
    }

    private static RunGrids.CellEvent event(int cell, String type, String data) {
        return new RunGrids.CellEvent(cell, new RunEvent(1, type, data));
    }

    @Test
    void stateEventsReadTheStoreAndProgressEventsDoNot() {
        GridCells cells = cells();
        reads = 0;
        GridCells.Change first = cells.fold(new RunGrids.CellEvent(0, null)).orElseThrow();
        assertTrue(first.stored());
        assertEquals(RunState.QUEUED, first.run().state());
        assertEquals(1, reads);

        put("a", RunState.RUNNING);
        assertEquals(RunState.RUNNING, cells.fold(event(0, "state", "{\"state\":\"running\"}")).orElseThrow().run().state());
        GridCells.Change step = cells.fold(event(0, "step", "{\"step\":3,\"progress\":0.3}")).orElseThrow();
        assertFalse(step.stored());
        assertEquals(0.3, step.progress().get("progress").asDouble());
        assertEquals(2, reads, "a step is shown from the event, not the store");
    }

    @Test
    void aCellKeepsItsLatestPictureUntilItFinishesAndIsThenQuiet() {
        GridCells cells = cells();
        GridCells.Change pictured = cells.fold(event(0, "step", "{\"step\":1,\"snapshot\":\"data:image/png;base64,AA\"}")).orElseThrow();
        assertTrue(pictured.newPicture());
        GridCells.Change later = cells.fold(event(0, "step", "{\"step\":2}")).orElseThrow();
        assertFalse(later.newPicture());
        assertEquals("data:image/png;base64,AA", later.picture(), "the latest picture stays on steps without one");

        put("a", RunState.DONE);
        GridCells.Change done = cells.fold(event(0, "done", "{}")).orElseThrow();
        assertTrue(done.finished());
        assertEquals(1, cells.finishedCount());
        assertTrue(cells.fold(event(0, "step", "{\"step\":3}")).isEmpty(), "a finished cell shows no more steps");
        assertTrue(cells.fold(event(0, "done", "{}")).isEmpty());

        GridCells.Change other = cells.fold(new RunGrids.CellEvent(1, null)).orElseThrow();
        assertTrue(other.finished(), "a cell finished before the stream counts once it is read");
        assertNull(other.picture());
        assertEquals(2, cells.finishedCount());
        assertEquals(List.of(RunState.DONE, RunState.DONE), cells.runs().stream().map(RunRecord::state).toList());
    }
}
