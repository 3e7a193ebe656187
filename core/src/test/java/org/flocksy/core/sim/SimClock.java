package org.flocksy.core.sim;

import org.flocksy.core.clock.Clock;

/** A node's clocks in virtual time; its wall clock may be skewed against the others'. */
final class SimClock implements Clock {
    /** 2026-01-01T00:00:00Z: virtual time zero. */
    static final long EPOCH_MS = 1_767_225_600_000L;
    private final SimWorld world;
    private volatile long skewMs;

    SimClock(SimWorld world, long skewMs) {
        this.world = world;
        this.skewMs = skewMs;
    }

    /** Sets the wall clock forward or back, as an operator or NTP would; the monotonic clock goes on. */
    void step(long deltaMs) {
        skewMs += deltaMs;
    }

    @Override
    public long wallMillis() {
        return EPOCH_MS + world.now() / 1_000_000 + skewMs;
    }

    @Override
    public long monotonicNanos() {
        return world.now();
    }
}
