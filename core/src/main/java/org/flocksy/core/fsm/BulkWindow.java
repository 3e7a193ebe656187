package org.flocksy.core.fsm;

import org.flocksy.core.scheduler.Emitter;

/**
 * One run's file frames on this node: when they started here and how many slots they last. Every node
 * derives the slot count from the originator's start and stop timepoints, both in the originator's clock,
 * so every node emits the same number of file frames whatever its clock or jitter.
 */
final class BulkWindow {
    /** Longer than news of a given-up run takes to reach every node (a heartbeat and a path delay within reach). */
    static final long START_MARGIN_NANOS = 2_500_000_000L;

    private final long runStartMs;
    private final long startNanos;
    private final long slotNanos;
    /** The slot count once the stop is known; -1 before. */
    private long slots = -1;

    /**
     * @param runStartMs the run's start timepoint in the originator's clock
     * @param startNanos this node's own start of file frames
     * @param slotNanos the run's time between frames
     */
    BulkWindow(long runStartMs, long startNanos, long slotNanos) {
        this.runStartMs = runStartMs;
        this.startNanos = startNanos;
        this.slotNanos = slotNanos;
    }

    long startNanos() {
        return startNanos;
    }

    /** The slot count of the run's stop, or -1 while it is not known. */
    long slots() {
        return slots;
    }

    /**
     * A run given up once its start was sent (a member went silent or left): this node's file frames end at
     * its own random moment a stop offset from now (or from its start), as every other node's, originator or
     * not. Ending at once would order the nodes' ends by who noticed first, which depends on the path the
     * silence came over.
     */
    void windDown(Emitter emitter, Timepoints time) {
        if (startNanos - time.nowNanos() > START_MARGIN_NANOS) {
            // Well before the start: every node hears of it in time and none starts.
            emitter.cancelBulk();
            return;
        }
        // Close to the start (or past it) the frames still start: a node that hears of it later may be past its
        // start already, and cancelling here would leave the one who noticed first without any.
        slots = Math.max(0, (Math.max(time.nowNanos(), startNanos) + time.ownStopOffsetNanos() - startNanos) / slotNanos);
        emitter.stopBulkAfter(slots);
    }

    /**
     * Ends this node's file frames after as many slots as lie between the run's start and {@code stopMs}.
     *
     * @return when this node's last slot has passed
     */
    long stop(long stopMs, Emitter emitter, Timepoints time) {
        // A peer whose clock jumped must not hold this node in a run: the stop lies at most the stop offset ahead.
        long latest = time.clampAhead(Long.MAX_VALUE, time.timing().stopOffsetMax());
        long maxSlots = Math.max(0, (latest - startNanos) / slotNanos);
        slots = Math.max(0, Math.min(maxSlots, (stopMs - runStartMs) * 1_000_000L / slotNanos));
        emitter.stopBulkAfter(slots);
        return Math.max(time.nowNanos(), startNanos + slots * slotNanos);
    }
}
