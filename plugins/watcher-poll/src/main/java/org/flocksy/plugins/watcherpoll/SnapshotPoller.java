package org.flocksy.plugins.watcherpoll;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.WatchHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Walks a tree at a fixed interval and reports every path whose size, mtime or kind changed. */
final class SnapshotPoller implements WatchHandle {
    private static final Logger log = LoggerFactory.getLogger(SnapshotPoller.class);

    /** What a change shows in; the permissions (where the platform has them) make a chmod visible. */
    private record Stamp(long size, long mtimeNanos, boolean directory, Object fileKey, Object permissions) {}

    private final Path root;
    private final ChangeListener listener;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private Map<Path, Stamp> previous;

    private SnapshotPoller(Path root, ChangeListener listener, Duration interval) throws IOException {
        this.root = root;
        this.listener = listener;
        this.intervalNanos = interval.toNanos();
        this.previous = snapshot();
        this.thread = new Thread(this::loop, "flocksy-poll-" + root.getFileName());
        this.thread.setDaemon(true);
    }

    static SnapshotPoller start(Path root, ChangeListener listener, Duration interval) throws IOException {
        SnapshotPoller poller = new SnapshotPoller(root, listener, interval);
        poller.thread.start();
        return poller;
    }

    private void loop() {
        while (running) {
            LockSupport.parkNanos(this, intervalNanos);
            if (!running) {
                return;
            }
            try {
                Map<Path, Stamp> current = snapshot();
                diff(previous, current);
                previous = current;
            } catch (IOException | RuntimeException e) {
                log.warn("poll of {} failed, asking for a rescan: {}", root, e.toString());
                listener.onOverflow();
            }
        }
    }

    private void diff(Map<Path, Stamp> before, Map<Path, Stamp> after) {
        after.forEach((path, stamp) -> {
            if (!Objects.equals(before.get(path), stamp)) {
                listener.onChange(new ChangeEvent(path));
            }
        });
        before.keySet().stream()
                .filter(path -> !after.containsKey(path))
                .forEach(path -> listener.onChange(new ChangeEvent(path)));
    }

    private Map<Path, Stamp> snapshot() throws IOException {
        Map<Path, Stamp> result = new HashMap<>();
        if (!Files.isDirectory(root)) {
            return result;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root)) {
                    result.put(dir, stamp(dir, attrs));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                result.put(file, stamp(file, attrs));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                // Vanished between listing and stat: the next round reports it as deleted.
                return FileVisitResult.CONTINUE;
            }
        });
        return result;
    }

    private static Stamp stamp(Path path, BasicFileAttributes attrs) {
        return new Stamp(attrs.isDirectory() ? 0 : attrs.size(),
                attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                attrs.isDirectory(), attrs.fileKey(), permissions(path));
    }

    /** The walk's attributes hide the permissions; a chmod changes nothing else, so they are read apart. */
    private static Object permissions(Path path) {
        try {
            return Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
