package org.flocksy.core.fsm;

/**
 * Notices a tick that came late because the event loop was busy (a large bundle written or applied):
 * heartbeats that arrived meanwhile wait behind it, and judging connectivity before them would make every
 * peer look gone. Such a tick goes once more to the back of the loop's queue. Confined to the event loop.
 */
final class LateTicks {
    private final long lateNanos;
    private long lastTickNanos = Long.MAX_VALUE / 2;
    private boolean deferred;

    /** @param periodNanos how often ticks are due; one more than two periods after the last is late */
    LateTicks(long periodNanos) {
        this.lateNanos = 2 * periodNanos;
    }

    /** Whether the tick at {@code nowNanos} should wait behind what the loop has queued (at most once in a row). */
    boolean defer(long nowNanos) {
        boolean late = nowNanos - lastTickNanos > lateNanos && !deferred;
        deferred = late;
        lastTickNanos = nowNanos;
        return late;
    }
}
