package org.flocksy.core.scheduler;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How late frames left against their due time: a histogram in 100 µs buckets up to 50 ms. Written by the
 * emitting thread, read by anyone; for operators and for the schedule benchmark.
 */
public final class Lateness {
    static final long BUCKET_NANOS = 100_000;
    static final int BUCKETS = 500;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

    void record(long lateNanos) {
        int bucket = (int) Math.min(BUCKETS, Math.max(0, lateNanos) / BUCKET_NANOS);
        counts.incrementAndGet(bucket);
    }

    public long count() {
        long n = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The lateness below which {@code fraction} of the frames left, in nanoseconds (bucket upper bound). */
    public long percentileNanos(double fraction) {
        long total = count();
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS;
            }
        }
        return (BUCKETS + 1) * BUCKET_NANOS;
    }

    public void reset() {
        for (int i = 0; i <= BUCKETS; i++) {
            counts.set(i, 0);
        }
    }
}
