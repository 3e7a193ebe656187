package org.flocksy.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A version of a file kept in the box's {@code .flocksy/versions/}.
 *
 * @param path the file's path in the box, with {@code /} separators
 * @param archivedAt when it was replaced or deleted (second precision)
 * @param size bytes
 * @param location where the version lies, relative to the box, with {@code /} separators
 */
public record StoredVersion(String path, Instant archivedAt, long size, String location) {
    public StoredVersion {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(archivedAt, "archivedAt");
        Objects.requireNonNull(location, "location");
    }
}
