package org.flocksy.core.clock;

/** The operating system's clocks. */
public final class SystemClock implements Clock {
    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }
}
