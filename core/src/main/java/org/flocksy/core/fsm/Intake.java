package org.flocksy.core.fsm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.MalformedFrameException;

/**
 * What a peer's frames must pass before the machine looks at them: they decode, and a heartbeat's clock is
 * plausible and newer than the last one. What fails is counted by reason and warned about once per peer.
 */
final class Intake {
    /** Heartbeats further than this from our clock are not clock skew but garbage or replays. */
    static final long CLOCK_DISTANCE_MAX_MS = Duration.ofDays(1).toMillis();

    private Intake() {}

    /** The frames that decode; on the receive thread. */
    static List<Frame> decode(Peer peer, List<byte[]> frames, Traffic traffic, OnceWarnings warn) {
        List<Frame> decoded = new ArrayList<>(frames.size());
        for (byte[] bytes : frames) {
            try {
                decoded.add(FrameCodec.decode(bytes));
            } catch (MalformedFrameException e) {
                traffic.dropped(e.reason().name());
                warn.warn(peer.endpoint() + e.reason(), "dropped a malformed frame from {}: {} (further ones are only counted)", peer,
                        e.getMessage());
            }
        }
        return decoded;
    }

    /** Whether a heartbeat counts: then the peer has taken it in (see {@link Peer#heard}); on the event loop. */
    static boolean heard(Peer peer, Heartbeat hb, long nanos, long wallMs, Traffic traffic, OnceWarnings warn) {
        if (Math.abs(wallMs - hb.timestampMs()) > CLOCK_DISTANCE_MAX_MS) {
            traffic.dropped("IMPLAUSIBLE_TIMESTAMP");
            warn.warn(peer.endpoint() + "time", "dropped a heartbeat from {}: its clock is more than a day off ours", peer);
            return false;
        }
        if (!peer.heard(hb, nanos, wallMs)) {
            traffic.dropped("STALE_HEARTBEAT");
            return false;
        }
        return true;
    }
}
