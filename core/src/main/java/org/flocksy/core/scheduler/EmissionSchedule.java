package org.flocksy.core.scheduler;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.wire.Frame;

/**
 * When each frame of a node is due: heartbeats on the jittered period, and during a run one file frame
 * per slot on a grid anchored at the run's start. It is the {@link Emitter} the state machine drives, in
 * the daemon and in the simulator alike; each driver calls {@link #step} on its own thread (or in virtual
 * time) and is woken through {@code onBulkChange} when a run starts or gets its stop.
 */
public final class EmissionSchedule implements Emitter {
    /**
     * A run's frames later than this are skipped instead of sent in one burst (after the whole process stood
     * still). Anything shorter is caught up: every node must send the same number of frames, and at a high
     * rate a millisecond's pause already holds several slots.
     */
    static final long LATE_SKIP_NANOS = 1_000_000_000L;

    /** One run's emission; {@code id} tells runs apart even when they share a payload source. */
    private record Bulk(long id, long startNanos, long slotNanos, long slotLimit, Emitter.BulkSource source) {}

    private final long period;
    private final long jitter;
    private final SplittableRandom random;
    private final Runnable onBulkChange;
    private final AtomicReference<Bulk> bulk = new AtomicReference<>();
    private final AtomicLong bulkFrames = new AtomicLong();
    private final AtomicLong nextId = new AtomicLong();
    private final Lateness lateness = new Lateness();
    private long nextHeartbeat;
    private long slotIndex;
    private Bulk current;

    public EmissionSchedule(FlockTiming timing, SplittableRandom random, long firstHeartbeatNanos, Runnable onBulkChange) {
        this.onBulkChange = onBulkChange;
        this.period = timing.heartbeatPeriod().toNanos();
        this.jitter = timing.heartbeatJitter().toNanos();
        this.random = random;
        this.nextHeartbeat = firstHeartbeatNanos;
    }

    @Override
    public void startBulk(long startNanos, long slotNanos, Emitter.BulkSource source) {
        bulkFrames.set(0);
        bulk.set(new Bulk(nextId.incrementAndGet(), startNanos, slotNanos, Long.MAX_VALUE, source));
        onBulkChange.run();
    }

    @Override
    public void stopBulkAfter(long slots) {
        bulk.updateAndGet(b -> b == null ? null : new Bulk(b.id, b.startNanos, b.slotNanos, slots, b.source));
        onBulkChange.run();
    }

    @Override
    public void switchSource(Emitter.BulkSource source) {
        bulk.updateAndGet(b -> b == null ? null : new Bulk(b.id, b.startNanos, b.slotNanos, b.slotLimit, source));
    }

    @Override
    public void cancelBulk() {
        bulk.set(null);
    }

    @Override
    public boolean bulkActive() {
        return bulk.get() != null;
    }

    @Override
    public long bulkFramesEmitted() {
        return bulkFrames.get();
    }

    /** How late file frames left against their slots (heartbeats are jittered on purpose, so not counted). */
    public Lateness lateness() {
        return lateness;
    }

    /**
     * Emits, through {@code sink}, every frame due at {@code now}.
     *
     * @return the monotonic time at which the next frame is due
     */
    public long step(long now, LongSupplier wallMs, Emitter.HeartbeatSource heartbeats, Consumer<Frame> sink) {
        while (true) {
            if (now >= nextHeartbeat) {
                sink.accept(heartbeats.heartbeat(wallMs.getAsLong()));
                nextHeartbeat += period + random.nextLong(-jitter, jitter + 1);
                if (nextHeartbeat < now) {
                    nextHeartbeat = now + period;
                }
            }
            Bulk b = bulk.get();
            if (b != current) {
                if (current == null || b == null || b.id != current.id) {
                    slotIndex = 0;
                }
                current = b;
            }
            if (b == null) {
                return nextHeartbeat;
            }
            if (slotIndex >= b.slotLimit) {
                bulk.compareAndSet(b, null);
                continue;
            }
            long due = b.startNanos + slotIndex * b.slotNanos;
            if (now < due) {
                return Math.min(nextHeartbeat, due);
            }
            if (now - due > LATE_SKIP_NANOS) {
                slotIndex = Math.min(b.slotLimit, (now - b.startNanos) / b.slotNanos);
                continue;
            }
            lateness.record(now - due);
            sink.accept(b.source.next());
            bulkFrames.incrementAndGet();
            slotIndex++;
        }
    }
}
