package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names for the engine's temp files in a box's {@code .flocksy/tmp}: incoming bundles and files, outgoing
 * bundles, links and case-only renames on their way. Unique within a run of the daemon; whatever a crash
 * leaves there is swept when the box opens.
 */
final class TempFiles {
    private final AtomicLong counter = new AtomicLong();

    /** A new name in the box's temp folder: {@code prefix-N.suffix}. */
    Path next(Box box, String prefix, String suffix) {
        return box.tmpDir().resolve(prefix + "-" + counter.incrementAndGet() + suffix);
    }

    /** Deletes whatever an earlier run left in {@code tmp}. */
    static void sweep(Path tmp) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(tmp)) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Deletes a file that is no longer needed; one that cannot be deleted is swept at the next start. */
    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left in .flocksy/tmp; swept at the next start.
        }
    }
}
