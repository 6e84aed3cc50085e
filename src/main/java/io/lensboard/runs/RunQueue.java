package io.lensboard.runs;

import io.lensboard.runs.cluster.ReplicaInfo;
import java.util.List;

/**
 * Where submitted runs wait for the run thread ({@link RunLoop}). With H2 this process owns its queue
 * ({@link LocalQueue}: runs wait in memory and are marked interrupted at the next start if it stops); with
 * PostgreSQL the queue is the database's ({@code cluster.ClusterQueue}: any replica claims a queued run, a run
 * whose replica dies is queued again, and events reach every replica's viewers through NOTIFY).
 */
public interface RunQueue {
    /** Opens the queue once the database is usable. */
    void start() throws Exception;

    /** Stores new runs as queued and hands them on, all or none; {@link TooManyRunsException} when the queue is full. */
    void submit(List<RunRecord> runs);

    /** Stops a run: a queued one at once (its place is free again), a running one after its current step. */
    void cancel(RunRecord run);

    /** This replica and, in a cluster, every live one: models warm, memory free, runs, last heartbeat. */
    List<ReplicaInfo> replicas();

    /** An event stored and published here; a cluster passes it on to the other replicas' viewers. */
    void published(String id, RunEvent event);

    /** The service stops (the run loop has stopped taking work): what waits is let go. */
    void stop();

    /** After the run thread has ended. */
    void close() throws InterruptedException;
}
