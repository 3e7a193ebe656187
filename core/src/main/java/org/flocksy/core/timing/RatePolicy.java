package org.flocksy.core.timing;

import java.util.Locale;
import org.flocksy.core.config.RateSetting;
import org.flocksy.core.wire.RunMetadata;

/**
 * This node's own rate limit. A fixed {@code rate} is taken as it is and never moves. {@code auto} follows from what one CURVE
 * link carries on this machine ({@code C} frames per second, measured at start: one encryption, one
 * decryption and loopback TCP per frame, on all of JeroMQ's I/O threads): in a run every node encrypts each
 * frame once for each of its {@code P} peers and decrypts one from each, so a rate {@code R} costs
 * {@code R × P} links' worth, and the limit is {@code SHARE × C ÷ P}. Flock nodes on the same machine ({@code H}
 * of them besides this one: a test flock, a demo) share its cores, and the measurement saw the whole machine, so
 * the limit is {@code SHARE × C ÷ (P × (1 + H))}; three nodes on two cores that each took half the machine lost a
 * quarter of their frames at the event loops. A {@code max-bandwidth} caps it further:
 * the node sends {@code R × P × WIRE_BYTES_PER_FRAME} bytes a second. An auto limit then follows the runs
 * (see the state machine's {@code RateGovernor}), up to {@link #CEILING_FACTOR} times where it started and never
 * past the bandwidth cap: a start-up measurement on a cold process, or one that shares the machine with other
 * nodes, is only a first estimate.
 */
public final class RatePolicy {
    /** The share of the machine's CURVE capacity a run may take; the rest is for hashing, the disk and the machine's own work. */
    static final double SHARE = 0.5;
    /** What one file frame costs on the wire per peer: the 4 117 bytes, CurveZMQ's MESSAGE command (nonce, MAC, flags) and ZMTP framing. */
    public static final int WIRE_BYTES_PER_FRAME = 4_160;
    /** What one link is taken to carry when it cannot be measured: about pure-Java CURVE on a small machine. */
    public static final double ASSUMED_LINK_FRAMES_PER_SECOND = 5_000;
    /** How far above its first estimate an auto limit may rise. */
    static final int CEILING_FACTOR = 4;

    private RatePolicy() {}

    /**
     * @param peers the peers this node is configured with
     * @param peersHere how many of them run on this machine ({@code H} above)
     * @param linkFramesPerSecond what one CURVE link carries here, measured ({@code C} above)
     */
    public static RateLimit limit(RateSetting setting, int peers, int peersHere, double linkFramesPerSecond) {
        int p = Math.max(1, peers);
        int sharing = 1 + Math.max(0, Math.min(peersHere, peers));
        long rate;
        long ceiling;
        String why;
        if (setting.auto()) {
            rate = (long) (SHARE * linkFramesPerSecond / p / sharing);
            ceiling = rate * CEILING_FACTOR;
            why = String.format(Locale.ROOT, "auto: one CURVE link carries %,d frames/s here; half of it over %d peer(s)",
                    Math.round(linkFramesPerSecond), p);
            if (sharing > 1) {
                why += String.format(Locale.ROOT, ", shared by the %d flock nodes on this machine", sharing);
            }
        } else {
            rate = setting.framesPerSecond().value();
            ceiling = rate;
            why = "rate = " + rate + " (" + setting.framesPerSecond().origin() + ")";
        }
        if (setting.maxBandwidth() != null) {
            long capped = setting.maxBandwidth().value() / ((long) p * WIRE_BYTES_PER_FRAME);
            ceiling = Math.min(ceiling, capped);
            if (capped < rate) {
                rate = capped;
                why += String.format(Locale.ROOT, "; max-bandwidth %.1f MiB/s (%s) allows %,d", setting.maxBandwidth().value() / 1048576.0,
                        setting.maxBandwidth().origin(), capped);
            }
        }
        if (rate < RunMetadata.RATE_MIN) {
            why += "; raised to the least a run may have";
        } else if (rate > RunMetadata.RATE_MAX) {
            why += "; lowered to the most a run may have";
        }
        return setting.auto() ? RateLimit.adaptive(RateLimit.clamp(rate), RateLimit.clamp(ceiling), why) : RateLimit.fixed(RateLimit.clamp(rate), why);
    }
}
