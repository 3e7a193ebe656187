package org.flocksy.api;

/**
 * Receives what a {@link FileWatcher} sees. Called from the watcher's own thread; implementations
 * return quickly and never throw.
 */
public interface ChangeListener {

    /** A path may have changed. */
    void onChange(ChangeEvent event);

    /** Events were lost (queue overflow, watch limit reached): the kernel rescans the whole root. */
    void onOverflow();
}
