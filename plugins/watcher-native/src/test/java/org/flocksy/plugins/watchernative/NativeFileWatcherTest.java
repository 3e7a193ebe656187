package org.flocksy.plugins.watchernative;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.WatchHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeFileWatcherTest {

    private final Set<Path> seen = ConcurrentHashMap.newKeySet();
    private final ChangeListener listener = new ChangeListener() {
        @Override
        public void onChange(ChangeEvent event) {
            seen.add(event.path());
        }

        @Override
        public void onOverflow() {}
    };

    @Test
    void seesFilesWrittenIntoFoldersCreatedAfterTheStart(@TempDir Path root) throws Exception {
        try (WatchHandle handle = new NativeWatcherPlugin.NativeFileWatcher().watch(root, listener)) {
            Path nested = Files.createDirectories(root.resolve("x/y/z"));
            Path file = Files.writeString(nested.resolve("late.txt"), "hello");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(file));

            // Clear first: the deletion's event may arrive before the next line runs.
            seen.clear();
            Files.delete(file);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(file));
        }
    }

    /** The start registers folders without listing those that hold no subfolder: each one is still watched. */
    @Test
    void seesFilesWrittenIntoEveryFolderThatExistedAtTheStart(@TempDir Path root) throws Exception {
        List<Path> folders = new ArrayList<>(List.of(root));
        for (String folder : List.of("a", "a/b", "a/b/c", "a/d", "e")) {
            folders.add(Files.createDirectories(root.resolve(folder)));
        }
        Files.writeString(root.resolve("e/old"), "x");
        try (WatchHandle handle = new NativeWatcherPlugin.NativeFileWatcher().watch(root, listener)) {
            List<Path> files = new ArrayList<>();
            for (Path folder : folders) {
                files.add(Files.writeString(folder.resolve("new.txt"), "hello"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.containsAll(files));
        }
    }

    /**
     * More events than the JDK keeps for one folder (512) while the watcher's thread is busy: the JDK reports
     * an overflow instead of the events, and directory-watcher 0.19.1 fails on that overflow (a null path)
     * and hands the failure to {@code onException}. Either every file is reported or an overflow is, so the
     * kernel rescans: silence lost 1 013 of 10 000 files copied into a box in one benchmark.
     */
    @Test
    void aBurstTooLargeForTheWatchIsReportedAsAnOverflow(@TempDir Path root) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean overflow = new AtomicBoolean();
        Set<Path> reported = ConcurrentHashMap.newKeySet();
        ChangeListener slow = new ChangeListener() {
            @Override
            public void onChange(ChangeEvent event) {
                reported.add(event.path());
                try {
                    // The first event holds the watcher's thread while the burst piles up behind it.
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onOverflow() {
                overflow.set(true);
            }
        };
        Path folder = Files.createDirectories(root.resolve("burst"));
        try (WatchHandle handle = new NativeWatcherPlugin.NativeFileWatcher().watch(root, slow)) {
            Files.writeString(root.resolve("first"), "1");
            await().atMost(Duration.ofSeconds(10)).until(() -> !reported.isEmpty());
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                files.add(Files.writeString(folder.resolve("f" + i), "x"));
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> overflow.get() || reported.containsAll(files));
        }
    }
}
