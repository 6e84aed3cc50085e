package io.lensboard.runs;

import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import java.util.List;
import java.util.Optional;

/**
 * A kind of long-running analysis, whole: its parameter record {@code P} (defaults and ranges on the record's
 * components, see {@link ParamSchema}), its model-dependent checks, its job (the step body) and the names of its
 * two templates. {@link RunService} runs every kind through one loop; nothing outside the kind's own class
 * looks at its name. A kind is a CDI bean: adding one is this class (extending {@link AbstractRunKind}) plus its
 * templates. What a kind offers beyond running is an interface it implements, asked with {@code instanceof}:
 * {@link FeatureKind} (cells of an alignment table), {@link Studyable} (studies over blocks, LM head and seeds, in its
 * own columns), {@link Seeded} (run again with a new seed), {@link Pictures} (images as the run goes),
 * {@link Checkpointed} (resumed from its checkpoint on another replica). Its events' tokens are a type too:
 * {@link TokenText}s in the event records it lists in {@link #eventRecords()}.
 *
 * @param <P> the parameter record, stored with the run as JSON
 */
public interface RunKind<P extends Record> {
    /** The API's name of the kind ({@code "kind"} of {@code POST /api/runs}). */
    String name();

    /** A heading for the kind's form and pages. */
    String title();

    ParamSchema<P> schema();

    /**
     * Checks what depends on the model or on other parameters and fills in such defaults; returns the complete
     * parameters. {@code config} is the model's when it is known before loading (local models).
     */
    P complete(P params, Optional<ModelConfig> config);

    /**
     * Checks what needs the model's tokenizer, such as a prompt's length in tokens against the context. Called at
     * submission when the tokenizer is at hand (a loaded or local model), so a bad run is a 400 and never queued.
     */
    default void checkTokens(P params, LensTokenizer tokenizer, ModelConfig config) {}

    /**
     * Whether the kind's input is an image (pixel_values of a ViT or a hybrid STEM+STACK) rather than text; a run
     * whose model reads the other kind of input is refused when it is submitted.
     */
    default boolean takesImages() {
        return false;
    }

    /**
     * Called on the run thread just before {@link #open}: work that needs no model and should not hold the device
     * thread (which lens requests share), such as decoding a stored image.
     */
    default void prepare(P params) {}

    /** Starts the job on the device thread; events it emits here (a target, say) come before the first step's. */
    Job open(LoadedModel model, P params, Progress progress);

    /** What a run is about, for lists: its prompt, or its block and feature. */
    String subject(P params);

    /**
     * The events whose data is a record, which pages read back from the store to show by type (its {@link TokenText}s
     * as tokens); an event type not listed has no tokens and reaches pages as it is stored.
     */
    default List<EventRecord<?>> eventRecords() {
        return List.of();
    }

    /** The live page's part for this kind; its {@code {#fragment}}s named after event types render those events. */
    default String liveTemplate() {
        return "runs/" + name() + "-live";
    }

    /** The result's view, rendered with the finished run; a {@code cell} fragment shows it in an alignment table. */
    default String resultTemplate() {
        return "runs/" + name() + "-result";
    }

    /** Progress events as a job emits them: stored and published by the run loop on the run thread, in order. */
    @FunctionalInterface
    interface Progress {
        /** {@code data} becomes the event's JSON; a {@code progress} field (0..1) feeds every progress bar. */
        void emit(String type, Object data);
    }

    /** One run's work, each method called as a separate task on the model's device thread. */
    interface Job {
        boolean finished();

        /** One step (an optimisation step, a batch of candidates), emitting its events. */
        void step(Progress progress);

        /** The result record, after the last step; its JSON is the run's {@code result}. */
        Object result();

        /** Frees the job's tensors; called once, after the last step or a cancel or a failure. */
        void close();
    }
}
