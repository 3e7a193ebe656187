package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the engine compares to tell whether a regular file changed: size and mtime in milliseconds.
 * A receiver sets both on the files it writes, so its own writes compare equal (echo suppression).
 */
public record Stamp(long size, long mtimeMs) {

    /** The stamp of a regular file, or {@code null} if {@code file} is missing or not a regular file. */
    public static Stamp of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? new Stamp(a.size(), a.lastModifiedTime().toMillis()) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
