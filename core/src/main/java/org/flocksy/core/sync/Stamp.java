package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the engine compares to tell whether a regular file changed: size and mtime in milliseconds.
 * A receiver sets both on the files it writes, so its own writes compare equal (echo suppression).
 */
public record Stamp(long size, long mtimeMs) {

    /**
     * The stamp of a regular file, or {@code null} if nothing is at {@code file} or it is not a regular
     * file. Any other failure (permissions, I/O) is thrown: it must never be mistaken for a deletion.
     */
    public static Stamp read(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? new Stamp(a.size(), a.lastModifiedTime().toMillis()) : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
