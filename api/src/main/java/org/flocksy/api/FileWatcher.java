package org.flocksy.api;

import java.io.IOException;
import java.nio.file.Path;
import org.pf4j.ExtensionPoint;

/**
 * Watches a directory tree, recursively, and reports paths that may have changed.
 *
 * <p>The kernel picks, per box, the supported watcher with the highest {@link #priority()}, and falls
 * back to the next one when {@link #watch} fails. A watcher that may miss events must call
 * {@link ChangeListener#onOverflow()} when it does.
 */
public interface FileWatcher extends ExtensionPoint {

    /** A short stable name for logs and the shell, e.g. {@code poll}. */
    String id();

    /** Higher wins; the portable polling watcher has 0. */
    int priority();

    /** Whether this watcher works on this platform at all. */
    boolean isSupported();

    /**
     * Starts watching {@code root} and everything below it, including directories created later.
     *
     * @return a handle whose {@code close()} stops the watch and joins the watcher's threads
     * @throws IOException when the watch cannot be set up
     */
    WatchHandle watch(Path root, ChangeListener listener) throws IOException;
}
