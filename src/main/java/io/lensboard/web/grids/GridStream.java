package io.lensboard.web.grids;

import io.lensboard.runs.GridCells;
import io.lensboard.runs.RunGrids;
import io.lensboard.web.common.LiveStreams;
import io.lensboard.web.runs.RunFragments;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;

/**
 * The one live stream of a grid page (an alignment table, a study, a comparison of images): every cell as stored now,
 * then each unfinished cell's changes ({@link GridCells}) as the page's own events, then {@code done} when all are
 * finished. A page says only how a change looks.
 */
@ApplicationScoped
public class GridStream {

    /** A page's events for one change; {@code cells} is every cell as the viewer has them now. */
    @FunctionalInterface
    public interface View {
        List<OutboundSseEvent> events(GridCells cells, GridCells.Change change);
    }

    @Inject
    RunGrids grids;

    @Inject
    LiveStreams streams;

    /** A grid's progress line as its page shows it, e.g. "3 of 12 cells finished" ({@code what}: "cells"). */
    public static String status(long finished, long total, String what) {
        return finished + " of " + total + " " + what + " finished";
    }

    /** The {@code status} event that repeats the progress line as cells finish. */
    public static OutboundSseEvent status(Sse sse, GridCells cells, String what) {
        return sse.newEventBuilder().name("status").data(status(cells.finishedCount(), cells.size(), what)).build();
    }

    /** Call on a worker thread: it reads every cell's run; counted by {@link LiveStreams}. Changes are folded and rendered on a worker thread, in order. */
    public Multi<OutboundSseEvent> of(List<String> runIds, Sse sse, View view) {
        return streams.guard(() -> {
            GridCells cells = grids.cells(runIds);
            return Multi.createBy().concatenating().streams(
                    grids.follow(runIds).concatMap(e -> Multi.createFrom().iterable(cells.fold(e).map(c -> view.events(cells, c)).orElse(List.of()))),
                    Multi.createFrom().item(() -> sse.newEventBuilder().name("done").data(RunFragments.finished()).build()));
        });
    }
}
