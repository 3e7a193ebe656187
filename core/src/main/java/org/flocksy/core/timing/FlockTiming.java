package org.flocksy.core.timing;

import java.time.Duration;

/**
 * The protocol's clock: heartbeat period and jitter, the group-wide file frame rate, the start and stop
 * offsets and every deadline. Every node of a flock must run the same values.
 *
 * @param heartbeatPeriod mean time between heartbeats (spec: 250 ms)
 * @param heartbeatJitter each interval is drawn uniformly from period ± jitter (spec: 25 ms)
 * @param framesPerSecond file frames each node emits per second during a run, real or fake
 * @param startOffsetMin earliest start of a run after its metadata (spec: 3 s)
 * @param startOffsetMax latest start (spec: 6 s)
 * @param stopOffsetMin earliest stop after the last receiver reported completion (spec: 1 s; here 2.5 s, so that a
 *     stop delayed on its way by up to 2 s still reaches every node before its last slot)
 * @param stopOffsetMax latest stop (spec: 2 s; here 3.5 s)
 * @param timepointJitter each node's own jitter on start and stop timepoints (spec: 25 ms)
 * @param connectedPeriods a peer is connected while its last heartbeat is younger than this many periods (10: a
 *     path that holds traffic back for up to 2 s must not make a member look gone in the middle of a run)
 * @param replyDeadlinePeriods how long a waiting state waits for replies before giving up
 * @param minBucketFrames the shortest run; runs are padded to the next power of two above it
 */
public record FlockTiming(Duration heartbeatPeriod, Duration heartbeatJitter, int framesPerSecond,
                          Duration startOffsetMin, Duration startOffsetMax, Duration stopOffsetMin,
                          Duration stopOffsetMax, Duration timepointJitter, int connectedPeriods,
                          int replyDeadlinePeriods, int minBucketFrames) {

    /** The values every flocksy node uses. */
    public static FlockTiming defaults() {
        return new FlockTiming(Duration.ofMillis(250), Duration.ofMillis(25), 200,
                Duration.ofSeconds(3), Duration.ofSeconds(6), Duration.ofMillis(2_500), Duration.ofMillis(3_500),
                Duration.ofMillis(25), 10, 40, 32);
    }

    public long framePeriodNanos() {
        return 1_000_000_000L / framesPerSecond;
    }

    /** Frames a run of {@code chunks} data chunks lasts at least: a power of two, at least {@link #minBucketFrames}. */
    public long bucketFrames(long chunks) {
        long bucket = Math.max(1, minBucketFrames);
        while (bucket < chunks) {
            bucket <<= 1;
        }
        return bucket;
    }

    public Duration replyDeadline() {
        return heartbeatPeriod.multipliedBy(replyDeadlinePeriods);
    }
}
