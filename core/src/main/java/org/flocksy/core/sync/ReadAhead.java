package org.flocksy.core.sync;

/**
 * How a run's content reaches the emission slots. The daemon reads ahead on a thread so that the disk
 * never delays a slot; the simulator reads inline so that a seed replays exactly.
 */
public enum ReadAhead {
    /** A read-ahead thread fills a buffer; a slot with no chunk ready sends a fake frame. */
    THREAD,
    /** Each slot reads its chunk when it is due. */
    INLINE
}
