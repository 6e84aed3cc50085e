package io.lensboard.runs;

import io.lensboard.model.LoadedModel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A kind whose runs can stop between two steps and go on elsewhere (a cluster's replica died): its job writes what its
 * next steps depend on (step count, optimiser state, the parameters being optimised, best-so-far) and the kind opens a
 * job from those bytes. A resumed run must end bit-identical to one that never stopped: what the kind's {@code open}
 * draws from its seed is drawn again, the same, by {@link #resume}, and only what the steps change is saved (floats as
 * their raw bits). A kind without it starts again from step 1 when its replica dies, storing nothing until it passes the
 * last step stored (the run loop's doing, for every kind).
 */
public interface Checkpointed<P extends Record> extends RunKind<P> {

    /** As {@link RunKind#open}, with a job that can be saved. */
    @Override
    SavableJob open(LoadedModel model, P params, Progress progress);

    /**
     * On the device thread: the job of a run of these parameters continued from {@code state} (what its job's
     * {@link SavableJob#save} wrote after some step); it emits nothing that the saved run had already emitted.
     */
    SavableJob resume(LoadedModel model, P params, DataInput state) throws IOException;

    /** A job whose state can be written between steps. */
    interface SavableJob extends Job {
        /** On the device thread, between steps: writes the state {@link #resume} reads back. */
        void save(DataOutput out) throws IOException;
    }

    /** A job's series (a value per step so far) into its state: the doubles' raw bits. */
    static void writeSeries(DataOutput out, List<Double> series) throws IOException {
        out.writeInt(series.size());
        for (double x : series) {
            out.writeDouble(x);
        }
    }

    /** A series {@link #writeSeries} wrote, as a list the job goes on adding to. */
    static List<Double> readSeries(DataInput in) throws IOException {
        int n = in.readInt();
        List<Double> series = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            series.add(in.readDouble());
        }
        return series;
    }
}
