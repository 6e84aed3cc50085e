package io.lensboard.web.runs;

import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The run page's fragments (templates/runPane.html), rendered here once for every page that streams a run or a grid of
 * runs: the run page's own feed, and the alignment, study and image tables.
 */
public final class RunFragments {
    private RunFragments() {}

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance runPane$state(String state);

        static native TemplateInstance runPane$progress(double progress, String timing);

        static native TemplateInstance runPane$outcome(RunRecord run, String result);

        static native TemplateInstance runPane$finished();

        static native TemplateInstance runPane$ended(String endedState, String endedWord);

        static native TemplateInstance runPane$stopped(String stoppedText);
    }

    /** The state badge (queued, running, done, failed, cancelled). */
    public static String state(String state) {
        return Templates.runPane$state(state).render();
    }

    /** The progress bar; {@code progress} in 0..1, {@code timing} the elapsed and remaining time in words. */
    public static String progress(double progress, String timing) {
        return Templates.runPane$progress(progress, timing).render();
    }

    /** The run's error, if any, and its rendered result. */
    public static String outcome(RunRecord run, String result) {
        return Templates.runPane$outcome(run, result).render();
    }

    /** What replaces the cancel button once a run (or a table) is finished; its event also closes the stream. */
    public static String finished() {
        return Templates.runPane$finished().render();
    }

    /** What replaces a run's cancel button when it ends: how it ended ("finished" only when it is done). */
    public static String ended(RunState state) {
        return Templates.runPane$ended(state.key(), state == RunState.DONE ? "finished" : state.key()).render();
    }

    /** The progress line of a run that stopped without a result: what happened instead of a bar and a time left. */
    public static String stopped(String text) {
        return Templates.runPane$stopped(text).render();
    }
}
