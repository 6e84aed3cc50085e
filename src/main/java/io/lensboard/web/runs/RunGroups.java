package io.lensboard.web.runs;

import io.lensboard.runs.AlignmentService;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.runs.StudyService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The runs list's rows: the newest runs, an alignment table's cells and a study's runs together under their grid. */
@ApplicationScoped
public class RunGroups {

    /** A run in the list: what it is about and its result in its kind's words, and the grid (table or study) holding it. */
    public record Row(RunRecord run, String subject, String result, Grid grid) {}

    /** What holds a run: an alignment table or a study ({@code what}), its id and page, and what it calls its runs. */
    public record Grid(String what, String id, String page, String parts) {}

    /** A run on its own ({@code grid} null), or an alignment table's or a study's cells listed together under it. */
    public record Group(Grid grid, List<Row> rows) {
        public boolean live() {
            return rows.stream().anyMatch(r -> !r.run().state().finished());
        }
    }

    @Inject
    RunService service;

    @Inject
    RunKinds kinds;

    @Inject
    RunViews views;

    @Inject
    AlignmentService alignments;

    @Inject
    StudyService studies;

    /** The newest runs the filter lets through; a grid's runs together, where its newest run stands. */
    public List<Group> newest(RunListParams filter) {
        Map<String, Grid> grids = new HashMap<>();
        alignments.list(100).forEach(a -> {
            Grid g = new Grid("alignment table", a.id(), "/alignments/" + a.id(), "cells");
            a.runs().forEach(row -> row.forEach(run -> grids.put(run, g)));
        });
        studies.list(100).forEach(s -> {
            Grid g = new Grid(s.kind() + " study", s.id(), "/studies/" + s.id(), "runs");
            s.runs().forEach(run -> grids.put(run, g));
        });
        Map<Grid, Group> byGrid = new LinkedHashMap<>();
        List<Group> groups = new ArrayList<>();
        for (RunRecord r : service.list(200, filter.filter(kinds))) {
            Row row = new Row(r, kinds.subject(r), r.result() == null ? null : views.cell(r), grids.get(r.id()));
            if (row.grid() == null) {
                groups.add(new Group(null, List.of(row)));
            } else {
                byGrid.computeIfAbsent(row.grid(), g -> {
                    Group group = new Group(g, new ArrayList<>());
                    groups.add(group);
                    return group;
                }).rows().add(row);
            }
        }
        return groups;
    }

    /** Whether any run listed is unfinished (the list then polls itself). */
    public static boolean live(List<Group> groups) {
        return groups.stream().anyMatch(Group::live);
    }
}
