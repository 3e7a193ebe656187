package org.flocksy.core.sim;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Virtual time for a simulated flock: one queue of events ordered by time and insertion, one seeded
 * random. Nothing here reads the real clock, so a seed replays a run exactly.
 */
final class SimWorld {
    private record Event(long at, long seq, Runnable task) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
            a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final SplittableRandom random;
    private long now;
    private long seq;

    SimWorld(long seed) {
        this.random = new SplittableRandom(seed);
    }

    long now() {
        return now;
    }

    SplittableRandom split() {
        return random.split();
    }

    void schedule(long at, Runnable task) {
        queue.add(new Event(Math.max(at, now), seq++, task));
    }

    /**
     * Runs events in order until {@code done} holds or {@code budgetNanos} of virtual time passed.
     *
     * @return whether {@code done} held
     */
    private static final long CHECK_EVERY_NANOS = 1_000_000L;

    boolean runUntil(BooleanSupplier done, long budgetNanos) {
        long end = now + budgetNanos;
        long checked = now;
        if (done.getAsBoolean()) {
            return true;
        }
        while (true) {
            Event next = queue.peek();
            if (next == null || next.at > end) {
                now = end;
                return done.getAsBoolean();
            }
            queue.poll();
            now = next.at;
            next.task.run();
            // Conditions read files: ask once per virtual millisecond, not after every frame.
            if (now - checked >= CHECK_EVERY_NANOS) {
                checked = now;
                if (done.getAsBoolean()) {
                    return true;
                }
            }
        }
    }

    void runFor(long nanos) {
        runUntil(() -> false, nanos);
    }
}
