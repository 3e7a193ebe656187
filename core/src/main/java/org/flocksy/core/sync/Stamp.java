package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the engine compares to tell whether an entry changed: for a regular file its size, mtime in
 * milliseconds and mode; for a directory only its mode (its mtime moves with every file inside it).
 * A receiver records the stamp of what it wrote, so its own writes compare equal (echo suppression).
 */
public record Stamp(boolean directory, long size, long mtimeMs, int mode) {

    static Stamp file(long size, long mtimeMs, int mode) {
        return new Stamp(false, size, mtimeMs, mode);
    }

    static Stamp directory(int mode) {
        return new Stamp(true, 0, 0, mode);
    }

    /**
     * The stamp of a regular file or directory, or {@code null} if nothing is at {@code path} or it is
     * something else (a link, a device). Any other failure (permissions, I/O) is thrown: it must never be
     * mistaken for a deletion.
     */
    public static Stamp read(Path path) throws IOException {
        try {
            return of(path, Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static Stamp of(Path path, BasicFileAttributes a) {
        if (a.isDirectory()) {
            return directory(Modes.read(path));
        }
        return a.isRegularFile() ? file(a.size(), a.lastModifiedTime().toMillis(), Modes.read(path)) : null;
    }
}
