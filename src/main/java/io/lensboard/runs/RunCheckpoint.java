package io.lensboard.runs;

import io.lensboard.model.LoadedModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The checkpoints of the run a replica executes: the one it resumes from, and when its job writes the next (after a
 * step whose events are stored, every {@code checkpoint-every}), for a job that can ({@link Checkpointed}).
 */
final class RunCheckpoint {
    private static final Logger LOG = Logger.getLogger(RunCheckpoint.class);

    private final Checkpoints checkpoints;
    private final String id;
    private final String replica;
    private long savedAt = System.currentTimeMillis();
    /** Set when the job's state is over the size limit: the run goes on without checkpoints. */
    private boolean tooLarge;

    RunCheckpoint(Checkpoints checkpoints, String id, String replica) {
        this.checkpoints = checkpoints;
        this.id = id;
        this.replica = replica;
    }

    /** The stored checkpoint of the run, when its kind can resume from one. */
    Optional<Checkpoints.Saved> stored(RunKind<?> kind) {
        return kind instanceof Checkpointed ? checkpoints.find(id) : Optional.empty();
    }

    /** On the device thread: the kind's job, continued from {@code saved}. */
    static <P extends Record> RunKind.Job resume(Checkpointed<P> kind, LoadedModel model, P params, Checkpoints.Saved saved) {
        try {
            return kind.resume(model, params, new DataInputStream(new ByteArrayInputStream(saved.state())));
        } catch (IOException e) {
            throw new UncheckedIOException("the run's checkpoint is unreadable: " + e.getMessage(), e);
        }
    }

    /** Whether the job can write a checkpoint (its kind can, it is not too large, and the store keeps them). */
    boolean savable(RunKind.Job job) {
        return job instanceof Checkpointed.SavableJob && !tooLarge && checkpoints.enabled();
    }

    /** Whether the job writes a checkpoint now, between two steps. */
    boolean due(RunKind.Job job) {
        return savable(job) && !job.finished() && checkpoints.due(savedAt, System.currentTimeMillis());
    }

    /** On the device thread: the job's state as bytes. */
    static byte[] bytes(RunKind.Job job) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            ((Checkpointed.SavableJob) job).save(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Stores the state written after {@code step} (whose events are stored), replacing the last; false when the run is
     * no longer this replica's.
     */
    boolean save(int step, byte[] state) {
        long now = System.currentTimeMillis();
        savedAt = now;
        if (!checkpoints.fits(state.length)) {
            tooLarge = true;
            LOG.warnf("run %s: its state (%d bytes) is over lensboard.cluster.checkpoint-max-size; it is not checkpointed, "
                    + "and a replica taking it over starts it again", id, state.length);
            return true;
        }
        return checkpoints.save(id, replica, step, state, now);
    }
}
