package org.flocksy.core.fsm;

import java.time.Duration;
import java.util.SplittableRandom;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.timing.FlockTiming;

/**
 * The times a run is built from, in this node's clocks: a peer's wall-clock timepoint in local monotonic
 * time (never further ahead than a few heartbeats beyond the protocol's own offsets), this node's own jitter
 * on every start and stop, the random offsets an originator draws, and how long a run may last at most.
 */
final class Timepoints {
    /**
     * Peers whose clocks seem to differ from ours by no more than this are taken at their word: a run's
     * timepoints are read on this node's own wall clock, as the originator reads them. The estimate of a
     * peer's clock includes the delay of the path from it, which anyone on that path can lengthen; were it
     * applied, every receiver would start one (adversary-chosen) delay after an originator, and only then.
     * Half the shortest stop offset: a node whose clock runs ahead must not pass the run's last slot before
     * the stop timepoint (sent 1-2 s ahead, plus a heartbeat on the way) reaches it.
     */
    static final long CLOCK_TRUST_MS = 500;

    private final Clock clock;
    private final FlockTiming timing;
    private final SplittableRandom random;

    Timepoints(Clock clock, FlockTiming timing, SplittableRandom random) {
        this.clock = clock;
        this.timing = timing;
        this.random = random;
    }

    long nowNanos() {
        return clock.monotonicNanos();
    }

    long wallMillis() {
        return clock.wallMillis();
    }

    /**
     * The correction this node applies to a peer's timepoints: none while the peer's clock seems within
     * {@link #CLOCK_TRUST_MS} of ours (delays on the way included), so every node, originator or not, starts
     * and stops by its own clock; beyond it the estimate itself, so a badly set clock still takes part.
     */
    static long correctionMs(long estimatedOffsetMs) {
        return Math.abs(estimatedOffsetMs) <= CLOCK_TRUST_MS ? 0 : estimatedOffsetMs;
    }

    /** The local monotonic time of a wall-clock timepoint given in a peer's clock. */
    long localNanos(long remoteWallMs, long offsetMs) {
        return clock.monotonicNanos() + (remoteWallMs + offsetMs - clock.wallMillis()) * 1_000_000L;
    }

    /**
     * A peer's timepoint in local time, kept between now and {@code limit} plus a few heartbeats ahead: a
     * peer whose clock jumped must not hold this node in a run for an hour.
     */
    long clampAhead(long atNanos, Duration limit) {
        long now = clock.monotonicNanos();
        long latest = now + limit.toNanos() + timing.heartbeatPeriod().toNanos() * timing.connectedPeriods();
        return Math.max(now, Math.min(atNanos, latest));
    }

    /** This node's own jitter on a start or stop timepoint. */
    long ownJitterNanos() {
        long j = timing.timepointJitter().toNanos();
        return random.nextLong(-j, j + 1);
    }

    /** A wall-clock time drawn uniformly between {@code min} and {@code max} from now. */
    long wallMillisAhead(Duration min, Duration max) {
        return clock.wallMillis() + random.nextLong(min.toMillis(), max.toMillis() + 1);
    }

    /** How long a run of {@code chunks} chunks at {@code slotNanos} a frame may last before it is given up. */
    long maxRunNanos(long chunks, long slotNanos) {
        return timing.bucketFrames(chunks) * slotNanos * 4 + Duration.ofSeconds(60).toNanos();
    }

    FlockTiming timing() {
        return timing;
    }
}
