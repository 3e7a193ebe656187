package org.flocksy.plugins.watcherpoll;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.FileWatcher;
import org.flocksy.api.WatchHandle;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/** A watcher that works everywhere: it compares snapshots of the tree at a fixed interval. */
public class PollingWatcherPlugin extends Plugin {

    /** The interval; one second keeps an idle walk of a few thousand files well under 1 % of a core. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    /** The fallback watcher: lowest priority, always supported. */
    @Extension(ordinal = 100)
    public static class PollingFileWatcher implements FileWatcher {

        @Override
        public String id() {
            return "poll";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public boolean isSupported() {
            return true;
        }

        @Override
        public WatchHandle watch(Path root, ChangeListener listener) throws IOException {
            return SnapshotPoller.start(root, listener, INTERVAL);
        }
    }
}
