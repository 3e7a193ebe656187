package org.flocksy.core.transport;

/** Receives raw frames from the receive thread; must not block. */
@FunctionalInterface
public interface InboundListener {
    /**
     * @param peer index of the peer in the keyring's peer list (frames are attributed by the SUB socket they arrived on)
     * @param frame the single-part message as received
     * @param receivedNanos monotonic time of receipt
     * @param receivedWallMs wall-clock time of receipt
     */
    void onFrame(int peer, byte[] frame, long receivedNanos, long receivedWallMs);
}
