package org.flocksy.core.timing;

/**
 * Where this node's rate limit comes from: a fixed setting, or a measurement of this machine that may be taken
 * again later (a measurement taken while other processes start beside it says too little).
 */
@FunctionalInterface
public interface RateSource {
    /** The limit now; may take a fraction of a second to measure. */
    RateLimit limit();

    /** A limit that never changes. */
    static RateSource fixed(RateLimit limit) {
        return () -> limit;
    }
}
