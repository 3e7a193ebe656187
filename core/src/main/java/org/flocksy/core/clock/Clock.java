package org.flocksy.core.clock;

/** The two times a node needs: wall-clock milliseconds for the wire, a monotonic nanosecond count for waiting. */
public interface Clock {
    /** Milliseconds since the Unix epoch; may jump. */
    long wallMillis();

    /** A monotonic count of nanoseconds from an arbitrary origin. */
    long monotonicNanos();
}
