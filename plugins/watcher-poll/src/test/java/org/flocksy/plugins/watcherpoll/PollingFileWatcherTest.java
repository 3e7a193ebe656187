package org.flocksy.plugins.watcherpoll;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.WatchHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PollingFileWatcherTest {

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
    void reportsCreateModifyChmodAndDeleteInNestedFolders(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("existing"), "a");
        try (WatchHandle handle = SnapshotPoller.start(root, listener, Duration.ofMillis(50))) {
            Path nested = Files.createDirectories(root.resolve("a/b"));
            Path file = Files.writeString(nested.resolve("new.txt"), "hello");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(file) && seen.contains(nested));

            seen.clear();
            Files.writeString(root.resolve("existing"), "longer");
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(root.resolve("existing")));

            seen.clear();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(file));

            seen.clear();
            Files.delete(file);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(file));
        }
    }
}
