package org.flocksy.plugins.watchernative;

import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryChangeListener;
import io.methvin.watcher.DirectoryWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.FileWatcher;
import org.flocksy.api.WatchHandle;
import org.pf4j.Extension;
import org.pf4j.Plugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recursive watcher on the operating system's notifications (inotify, FSEvents, ReadDirectoryChangesW)
 * through io.methvin directory-watcher, which also registers directories created after the start: the
 * JDK WatchService alone is not recursive on Linux and misses files written into new folders.
 */
public class NativeWatcherPlugin extends Plugin {

    /** Preferred over polling wherever it starts. */
    @Extension(ordinal = 10)
    public static class NativeFileWatcher implements FileWatcher {

        @Override
        public String id() {
            return "native";
        }

        @Override
        public int priority() {
            return 10;
        }

        @Override
        public boolean isSupported() {
            return true;
        }

        @Override
        public WatchHandle watch(Path root, ChangeListener listener) throws IOException {
            return Watch.start(root, listener);
        }
    }

    private static final class Watch implements WatchHandle {
        private static final Logger log = LoggerFactory.getLogger(Watch.class);
        private final DirectoryWatcher watcher;
        private final ExecutorService executor;

        private Watch(DirectoryWatcher watcher, ExecutorService executor) {
            this.watcher = watcher;
            this.executor = executor;
        }

        static Watch start(Path root, ChangeListener listener) throws IOException {
            FolderWalk walk = new FolderWalk();
            DirectoryWatcher watcher = DirectoryWatcher.builder()
                    .path(root)
                    .fileHashing(false)
                    .fileTreeVisitor(walk)
                    .listener(new DirectoryChangeListener() {
                        @Override
                        public void onEvent(DirectoryChangeEvent event) {
                            deliver(event, listener);
                        }

                        @Override
                        public void onException(Exception e) {
                            // Events may be lost with it: directory-watcher 0.19.1 fails on the JDK's own overflow
                            // (an event without a path) and reports only this; silence here lost files for good.
                            log.warn("watch of {} failed on an event ({}); asking for a rescan", root, e.toString());
                            listener.onOverflow();
                        }
                    })
                    .build();
            ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "flocksy-watch-" + root.getFileName());
                t.setDaemon(true);
                return t;
            });
            walk.registering(() -> watcher.watchAsync(executor)).whenComplete((ok, error) -> {
                if (error != null) {
                    log.warn("watch of {} stopped, asking for a rescan: {}", root, error.toString());
                    listener.onOverflow();
                }
            });
            return new Watch(watcher, executor);
        }

        private static void deliver(DirectoryChangeEvent event, ChangeListener listener) {
            if (event.eventType() == DirectoryChangeEvent.EventType.OVERFLOW) {
                listener.onOverflow();
            } else if (event.path() != null) {
                listener.onChange(new ChangeEvent(event.path()));
            }
        }

        @Override
        public void close() {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("closing watcher: {}", e.toString());
            }
            executor.shutdown();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
