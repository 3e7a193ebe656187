package org.flocksy.core.fsm;

import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.Status;

/** What a peer's heartbeat says about its part in a run: whom it names, whether it is idle, who wins a collision. */
final class Membership {
    private Membership() {}

    /** Whether a heartbeat names {@code uid} (an acknowledgement or completion meant for it). */
    static boolean names(Heartbeat hb, NodeUid uid) {
        return hb.payload() instanceof Payload.NodeList list ? list.uids().contains(uid)
                : hb.payload() instanceof Payload.Acknowledgement ack && ack.originator().equals(uid);
    }

    /** Whether a status says its sender takes part in no run (100, 150, 410). */
    static boolean idle(Status status) {
        return status == Status.IDLE || status == Status.TRANSFER_FINISHED || status == Status.ONLY_HEARTBEATS;
    }

    /**
     * Whether a recipient whose last heartbeat is {@code last} left the run we originate: it went back to idle,
     * or it now acknowledges another originator. Before our announcement is answered nobody has left.
     */
    static boolean leftRun(Heartbeat last, State ours, NodeUid self) {
        if (last == null || ours.phase == State.Phase.ANNOUNCING) {
            return false;
        }
        if (idle(last.status())) {
            return true;
        }
        State theirs = State.sending(last.status());
        return theirs != null && theirs.role == State.Role.RECEIVER && theirs.phase != State.Phase.SENDING_FAKE && !names(last, self);
    }

    /**
     * The collision tie-break of FLOCK.md: the earlier announcement wins, the lower node UID on a tie. An
     * announcement not yet on the wire ({@code Long.MAX_VALUE}) loses to any that is.
     */
    static boolean precedes(long atMs, NodeUid uid, long otherAtMs, NodeUid otherUid) {
        return atMs != otherAtMs ? atMs < otherAtMs : uid.compareTo(otherUid) < 0;
    }
}
