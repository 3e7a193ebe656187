package org.flocksy.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One version of a file in a conflict.
 *
 * @param size bytes
 * @param mtimeMs modification time, milliseconds since the epoch
 * @param writer the node that made this version: the hex of its 16-byte node UID
 * @param contentHash the hex of the content's BLAKE2b-256
 * @param content where the content can be read during {@link ConflictResolver#resolve}; do not keep it
 */
public record FileVersion(long size, long mtimeMs, String writer, String contentHash, Path content) {
    public FileVersion {
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(contentHash, "contentHash");
        Objects.requireNonNull(content, "content");
    }
}
