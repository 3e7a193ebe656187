package org.flocksy.plugins.watchernative;

import io.methvin.watcher.visitor.FileTreeVisitor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;

/**
 * The watcher's walks of a tree. Where the operating system cannot watch a tree as a whole (Linux), the
 * watcher registers every folder at start, and files play no part in that: this walk then looks at folders
 * only, and does not even list a folder whose link count says it holds no subfolder (each subfolder's
 * {@code ..} counts one, on the file systems named here). On a box of 100 000 files in 100 folders that takes
 * the start's walk from 0.4 s of the event loop to 100 system calls; the walk of the first scan, which must
 * look at every file anyway, then starts at once. A folder created while watching, and any tree on another
 * file system (or where the system watches trees whole, as on macOS), is walked by the library's own walk.
 */
final class FolderWalk implements FileTreeVisitor {
    /** File systems whose folders count their subfolders in their link count (2 + subfolders). */
    private static final Set<String> COUNTING = Set.of("ext2", "ext3", "ext4", "xfs", "tmpfs");

    private volatile Thread registering;

    /** Runs {@code registration} with this walk in its folders-only mode on the calling thread. */
    <T> T registering(IoSupplier<T> registration) throws IOException {
        registering = Thread.currentThread();
        try {
            return registration.get();
        } finally {
            registering = null;
        }
    }

    @Override
    public void recursiveVisitFiles(Path start, Callback onDirectory, Callback onFile) throws IOException {
        Object device = Thread.currentThread() == registering ? counting(start) : null;
        if (device == null) {
            // A walk for a new folder, or a file system this walk does not know: the library's own, unchanged.
            DEFAULT_FILE_TREE_VISITOR.recursiveVisitFiles(start, onDirectory, onFile);
            return;
        }
        Deque<Path> folders = new ArrayDeque<>();
        folders.push(start);
        while (!folders.isEmpty()) {
            Path folder = folders.pop();
            try {
                // Registered before it is counted or listed: a subfolder made after this is reported as an event.
                onDirectory.call(folder);
            } catch (NoSuchFileException | NotDirectoryException gone) {
                if (folder.equals(start)) {
                    throw gone;
                }
                // Removed since its parent was listed: its parent's watch reports that.
                continue;
            }
            if (!leaf(folder, device)) {
                subfolders(folder, folders);
            }
        }
    }

    /** The device of {@code start} if its file system counts subfolders in links, else {@code null}. */
    private static Object counting(Path start) {
        try {
            return COUNTING.contains(Files.getFileStore(start).type())
                    ? Files.getAttribute(start, "unix:dev", LinkOption.NOFOLLOW_LINKS) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code folder}, on the same file system as the start (a mount below may count otherwise), has no subfolder. */
    private static boolean leaf(Path folder, Object device) {
        try {
            Map<String, Object> attributes = Files.readAttributes(folder, "unix:nlink,dev", LinkOption.NOFOLLOW_LINKS);
            return device.equals(attributes.get("dev")) && Integer.valueOf(2).equals(attributes.get("nlink"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void subfolders(Path folder, Deque<Path> folders) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    folders.push(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Gone or unreadable since it was registered, as the library's own walk skips it.
        }
    }

    /** A registration that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }
}
