package org.flocksy.core.sync;

/**
 * Where the disk work of outgoing runs happens. The daemon writes bundles and reads ahead on threads of
 * their own, so that the disk never delays the event loop or a slot; the simulator does both inline so
 * that a seed replays exactly.
 */
public enum ReadAhead {
    /** A thread writes each bundle; a read-ahead thread fills a buffer, a slot with no chunk ready sends a fake frame. */
    THREAD,
    /** Bundles are written when asked for; each slot reads its chunk when it is due. */
    INLINE
}
