package org.flocksy.core.fsm;

import org.flocksy.core.sync.OutgoingRun;
import org.flocksy.core.wire.MissingChunks;

/**
 * Where receivers' loss reports go: the run this node sends now, if any. Set on the event loop, read on the
 * receive thread, so a report reaches the read-ahead without waiting for a loop that may be busy. A member's
 * reports are bounded: at most {@link #PER_TENTH} a tenth of a second are looked at (each costs at most one
 * window's scan), and all a report can do is change which of the run's own chunks goes out next.
 */
final class LossReports {
    /** An honest receiver sends one pass of reports a tenth of a second, at most this many (one per 32 Ki chunks with a gap). */
    static final int PER_TENTH = MissingChunks.PER_TENTH_MAX;
    private static final long TENTH_NANOS = 100_000_000L;

    private volatile OutgoingRun sending;

    /** The run whose receivers report from now on, or {@code null} when this node sends none. */
    void sending(OutgoingRun run) {
        sending = run;
    }

    /** A report from {@code peer}; on the receive thread. */
    void take(Peer peer, MissingChunks report, long nanos) {
        OutgoingRun run = sending;
        if (run != null && peer.admitReport(nanos, TENTH_NANOS, PER_TENTH)) {
            run.reported(report);
        }
    }
}
