package org.flocksy.core.transport;

import java.util.List;

/** Receives raw frames from the receive thread, a peer's waiting frames at a time; must not block. */
@FunctionalInterface
public interface InboundListener {
    /**
     * @param peer index of the peer in the keyring's peer list (frames are attributed by the SUB socket they arrived on)
     * @param frames single-part messages as received, in order
     * @param receivedNanos monotonic time of receipt
     * @param receivedWallMs wall-clock time of receipt
     */
    void onFrames(int peer, List<byte[]> frames, long receivedNanos, long receivedWallMs);
}
