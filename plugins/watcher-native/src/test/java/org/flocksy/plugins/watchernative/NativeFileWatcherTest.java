package org.flocksy.plugins.watchernative;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
}
