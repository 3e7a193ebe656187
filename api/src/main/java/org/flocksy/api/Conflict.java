package org.flocksy.api;

import java.util.Objects;

/**
 * Two versions of one file, neither of which includes the other.
 *
 * @param box the box's name
 * @param path the file's path in the box, with {@code /} separators
 * @param first the version with the earlier mtime (the lower writer on a tie); the same on every node
 * @param second the other version
 */
public record Conflict(String box, String path, FileVersion first, FileVersion second) {
    public Conflict {
        Objects.requireNonNull(box, "box");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
    }
}
