package org.flocksy.core.timing;

import org.flocksy.core.wire.RunMetadata;

/**
 * The fastest rate, in file frames per second, at which this node takes part in a run, and why. A node
 * advertises it in its acknowledgements; an originator runs at the slowest of its recipients' and its own, and
 * puts that rate into the run's metadata, so every node of a run sends at the same rate.
 *
 * @param why for {@code status}: what decided it, e.g. {@code auto: 2 peers, one CURVE link carries 51 000 frames/s}
 */
public record RateLimit(int framesPerSecond, String why) {
    public RateLimit {
        if (framesPerSecond < RunMetadata.RATE_MIN || framesPerSecond > RunMetadata.RATE_MAX) {
            throw new IllegalArgumentException("rate " + framesPerSecond + " frames/s is outside " + RunMetadata.RATE_MIN + ".."
                    + RunMetadata.RATE_MAX);
        }
    }

    /** A fixed rate. */
    public static RateLimit fixed(int framesPerSecond, String why) {
        return new RateLimit(Math.max(RunMetadata.RATE_MIN, Math.min(RunMetadata.RATE_MAX, framesPerSecond)), why);
    }
}
