package org.flocksy.core.fsm;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether every peer's file frames of a run arrived: every node of a run sends the same number, so a peer
 * whose count here fell short of this node's own lost frames on the way. On a LAN that is a publisher at its
 * high-water mark (the machine could not encrypt and send at the run's rate), and an observer would see its
 * egress differ from the others': the run was too fast for the flock, whatever else went well. Confined to the
 * event loop.
 */
final class FrameTally {
    /** A shortfall of more than this share of the run's frames counts. */
    static final double SHORTFALL_SHARE = 0.01;
    /** ... and of more than this many seconds of slots: frames still on their way when the run ends here. */
    static final double IN_FLIGHT_SECONDS = 0.1;

    private final Map<Peer, Long> atLastRun = new HashMap<>();

    /**
     * @param emitted the file frames this node sent in the run that just ended
     * @return which peer's frames fell short and by how much, or {@code null}
     */
    String shortfall(List<Peer> peers, long emitted, int runRate) {
        String worst = null;
        long tolerance = Math.max((long) (emitted * SHORTFALL_SHARE), (long) (runRate * IN_FLIGHT_SECONDS));
        for (Peer p : peers) {
            long now = p.fileFrames();
            long received = now - atLastRun.getOrDefault(p, 0L);
            atLastRun.put(p, now);
            // A peer that sent nothing was not in the run (disconnected, or left out as suspect).
            if (received > 0 && received < emitted - tolerance && worst == null) {
                worst = String.format(Locale.ROOT, "%,d of %,d file frames from %s arrived", received, emitted, p);
            }
        }
        return worst;
    }
}
