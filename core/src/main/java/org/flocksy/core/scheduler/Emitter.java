package org.flocksy.core.scheduler;

import org.flocksy.core.transport.FrameScheduler;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.Heartbeat;

/**
 * What the state machine asks of a node's emission: heartbeats always, and during a run one file frame
 * per slot between a start and a stop. Implemented by the daemon's {@link FrameScheduler} thread and by
 * the simulator; both use the same {@link EmissionSchedule}.
 */
public interface Emitter {

    /** The heartbeat to send now, given the emission's wall-clock time. */
    @FunctionalInterface
    interface HeartbeatSource {
        Heartbeat heartbeat(long wallMs);
    }

    /** The payload of the next slot: a data frame if one is ready, else a fake one. Must not block. */
    @FunctionalInterface
    interface BulkSource {
        Frame next();
    }

    /** From {@code startNanos} on, emit one file frame every {@code slotNanos} (the run's rate) until stopped. */
    void startBulk(long startNanos, long slotNanos, BulkSource source);

    /**
     * Ends the current run's frames after its first {@code slots} slots. Every node derives the same count
     * from the originator's start and stop timepoints, so every node emits the same number of file frames.
     */
    void stopBulkAfter(long slots);

    /** Takes the current run's frames from {@code source} from the next slot on; slots and count are kept. */
    void switchSource(BulkSource source);

    /** Ends the current run's frames now. */
    void cancelBulk();

    boolean bulkActive();

    /** File frames emitted since the current (or last) run started. */
    long bulkFramesEmitted();
}
