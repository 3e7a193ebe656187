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
     * The path delay (plus clock difference) the run's timing absorbs: every node reads a run's timepoints on
     * its own wall clock and never corrects them by what it measured of a peer, because that measurement
     * includes the delay of the path from the peer, which anyone on that path can set (were it applied,
     * receivers would start and stop one adversary-chosen delay after an originator, and only then). A peer
     * whose heartbeats seem further off than this is not taken into runs at all, either way (see
     * {@link #inStep}): its timepoints would reach this node too late to be kept. The start offset (3-6 s)
     * and the stop offset (2.5-3.5 s) leave room for this much, and a peer counts as gone only after
     * more than this much silence (see {@link FlockTiming#connectedPeriods}).
     */
    static final long CLOCK_DISTANCE_MAX_MS = 2_000;

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

    /** Whether a peer's heartbeats arrive close enough to its timestamps for its runs to be kept in step. */
    static boolean inStep(Peer peer) {
        return Math.abs(peer.clockOffsetMs()) <= CLOCK_DISTANCE_MAX_MS;
    }

    /** The local monotonic time of a wall-clock timepoint, read on this node's wall clock. */
    long localNanos(long wallMs) {
        return clock.monotonicNanos() + (wallMs - clock.wallMillis()) * 1_000_000L;
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

    /** A stop offset drawn for this node alone: where a run given up ends its file frames. */
    long ownStopOffsetNanos() {
        return random.nextLong(timing.stopOffsetMin().toNanos(), timing.stopOffsetMax().toNanos() + 1);
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
