package org.flocksy.core.fsm;

import java.util.Locale;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate limit this node advertises now. A fixed limit never moves. An auto limit follows what the flock
 * could carry: a run given up because the data could not keep pace (a peer that went silent in the bulk phase,
 * a run past its deadline) lowers it to {@link #DECREASE} of that run's rate; a run carried to the end at
 * about the limit raises it by {@link #INCREASE}, up to its ceiling, and never again past {@link #BELOW_FAILURE}
 * of a rate that failed, until the machine is measured again (hourly): probing upward would otherwise make every
 * few runs an overloaded one, and an overloaded publisher drops frames unevenly. Every node of a run sees the same
 * outcome, and runs go at the slowest limit of their nodes, so the flock settles where its slowest member keeps up.
 * Confined to the event loop.
 */
final class RateGovernor {
    private static final Logger log = LoggerFactory.getLogger(RateGovernor.class);
    static final double DECREASE = 0.7;
    static final double INCREASE = 1.1;
    static final double BELOW_FAILURE = 0.9;

    private RateLimit start;
    private int current;
    /** How far the limit may rise now: the ceiling, or just below the slowest rate that failed since the last measurement. */
    private int cap;
    private String why;
    /** The rate of the last run this node took part in, 0 before any: flock-wide, unlike {@link #current}. */
    private int flockRate;

    RateGovernor(RateLimit start) {
        this.start = start;
        this.current = start.framesPerSecond();
        this.cap = start.ceiling();
        this.why = start.why();
    }

    int current() {
        return current;
    }

    /** The last run's rate: what the flock carries, the same on every node of that run (it sizes the next bundle). */
    int flockRate() {
        return flockRate;
    }

    /** A run ended: carried at {@code runRate}, or not (then {@code failure} says why). */
    void outcome(int runRate, String failure) {
        if (runRate > 0) {
            flockRate = runRate;
        }
        if (failure == null) {
            carried(runRate);
        } else {
            overloaded(runRate, failure);
        }
    }

    /** The limit now and why, for {@code status}. */
    RateLimit now() {
        return new RateLimit(current, Math.max(current, start.ceiling()), why);
    }

    /**
     * A later measurement of this machine. Kept if it says more than the one the limit started from (a measurement
     * beside starting processes says too little); the limit rises to it if it is lower.
     */
    void remeasured(RateLimit fresh) {
        if (!start.adapts()) {
            return;
        }
        // New information about the machine: rates that failed before may be tried again.
        cap = Math.max(start.ceiling(), fresh.ceiling());
        if (fresh.framesPerSecond() <= start.framesPerSecond()) {
            return;
        }
        start = fresh;
        if (current < fresh.framesPerSecond()) {
            current = fresh.framesPerSecond();
            why = fresh.why();
            log.info("rate limit raised to {} frames/s: {}", current, why);
        }
    }

    /** A run at {@code runRate} could not be carried: the limit falls below it. */
    void overloaded(int runRate, String what) {
        if (!start.adapts()) {
            return;
        }
        cap = Math.min(cap, Math.max(RunMetadata.RATE_MIN, (int) (runRate * BELOW_FAILURE)));
        int lowered = RateLimit.fixed((int) Math.min(current, runRate * DECREASE), "").framesPerSecond();
        if (lowered < current) {
            current = lowered;
            why = start.why() + String.format(Locale.ROOT, "; now %,d after a run at %,d frames/s failed (%s)", current, runRate, what);
            log.info("rate limit lowered to {} frames/s: a run at {} frames/s could not be carried ({})", current, runRate, what);
        }
    }

    /** A run at {@code runRate} was carried to its end: a limit it nearly reached may rise. */
    void carried(int runRate) {
        int limit = Math.min(start.ceiling(), cap);
        if (!start.adapts() || runRate < current * 0.9 || current >= limit) {
            return;
        }
        current = Math.min(limit, (int) Math.max(current + 1, current * INCREASE));
        why = start.why() + String.format(Locale.ROOT, "; now %,d after runs went well", current);
    }
}
