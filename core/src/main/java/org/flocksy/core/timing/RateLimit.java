package org.flocksy.core.timing;

import org.flocksy.core.wire.RunMetadata;

/**
 * The fastest rate, in file frames per second, at which this node takes part in a run, and why. A node
 * advertises it in its acknowledgements; an originator runs at the slowest of its recipients' and its own, and
 * puts that rate into the run's metadata, so every node of a run sends at the same rate.
 *
 * @param ceiling with {@code rate = auto}, how far the limit may rise as runs go well (it falls when a run could
 *     not be carried); equal to {@code framesPerSecond} for a fixed rate, which never moves
 * @param why for {@code status}: what decided it, e.g. {@code auto: one CURVE link carries 51 000 frames/s here; ...}
 */
public record RateLimit(int framesPerSecond, int ceiling, String why) {
    public RateLimit {
        if (framesPerSecond < RunMetadata.RATE_MIN || ceiling > RunMetadata.RATE_MAX || ceiling < framesPerSecond) {
            throw new IllegalArgumentException("rate " + framesPerSecond + ".." + ceiling + " frames/s is outside " + RunMetadata.RATE_MIN + ".."
                    + RunMetadata.RATE_MAX);
        }
    }

    /** A fixed rate. */
    public static RateLimit fixed(int framesPerSecond, String why) {
        int rate = clamp(framesPerSecond);
        return new RateLimit(rate, rate, why);
    }

    /** A rate that starts at {@code framesPerSecond} and adapts up to {@code ceiling}. */
    public static RateLimit adaptive(int framesPerSecond, int ceiling, String why) {
        int rate = clamp(framesPerSecond);
        return new RateLimit(rate, Math.max(rate, clamp(ceiling)), why);
    }

    public boolean adapts() {
        return ceiling > framesPerSecond;
    }

    static int clamp(long framesPerSecond) {
        return (int) Math.max(RunMetadata.RATE_MIN, Math.min(RunMetadata.RATE_MAX, framesPerSecond));
    }
}
