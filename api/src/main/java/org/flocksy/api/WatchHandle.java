package org.flocksy.api;

/** A running watch. {@link #close()} is idempotent and returns once no more events will be delivered. */
public interface WatchHandle extends AutoCloseable {
    @Override
    void close();
}
