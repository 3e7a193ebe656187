package org.flocksy.core.bundle;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.version.VersionVector;

/**
 * One record of a bundle: what changed at a path of the box. Only {@link Kind#FILE}, {@link Kind#DIGEST}
 * and {@link Kind#MOVED} records carry content ({@code size} bytes follow the header in the stream).
 *
 * @param path relative path with {@code /} separators, UTF-8, at most 128 bytes; its safety is the
 *     receiver's check, not this type's
 * @param mode POSIX permission bits
 * @param mtimeMs modification time in milliseconds since the epoch
 * @param size content bytes that follow ({@link Kind#FILE} only, else 0)
 * @param contentHash BLAKE2b-256 of the content: of the bytes that follow for a file, of the unchanged
 *     content for {@link Kind#ATTRIBUTES}, zeros otherwise
 * @param version the version vector of this change
 * @param writer the node that made this version (names conflict copies the same on every node)
 */
public record Change(Kind kind, String path, int mode, long mtimeMs, long size, byte[] contentHash,
                     VersionVector version, NodeUid writer) {

    /** What a record does at its path. */
    public enum Kind {
        /** The file or (empty) directory at the path is gone. */
        DELETED(1),
        /** A regular file with new content. */
        FILE(2),
        /** A directory exists (created, or its mode changed). */
        DIRECTORY(3),
        /** Mode or mtime of a file whose content did not change (chmod, touch). */
        ATTRIBUTES(4),
        /** Not a change: the sender's index in brief ({@link Digest}), so that receivers send what it lacks. */
        DIGEST(5),
        /**
         * A file whose content was at another path, now deleted: a rename or move. The record's content is
         * a {@link Move}, not the file's bytes; receivers that have them take them from their own disk.
         */
        MOVED(6);

        final int wire;

        Kind(int wire) {
            this.wire = wire;
        }

        /** Whether content bytes follow the record's header. */
        public boolean hasContent() {
            return this == FILE || this == DIGEST || this == MOVED;
        }

        static Kind ofWire(int value) {
            for (Kind k : values()) {
                if (k.wire == value) {
                    return k;
                }
            }
            return null;
        }
    }

    public static final byte[] NO_HASH = new byte[32];

    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(writer, "writer");
        if (contentHash.length != 32) {
            throw new IllegalArgumentException("content hash is 32 bytes");
        }
        if (mode < 0 || mode > 0xFFFF) {
            throw new IllegalArgumentException("mode out of range: " + mode);
        }
        if (size < 0 || (!kind.hasContent() && size != 0)) {
            throw new IllegalArgumentException("size " + size + " for " + kind);
        }
        contentHash = contentHash.clone();
    }

    public static Change deleted(String path, VersionVector version, NodeUid writer) {
        return new Change(Kind.DELETED, path, 0, 0, 0, NO_HASH, version, writer);
    }

    public static Change directory(String path, int mode, VersionVector version, NodeUid writer) {
        return new Change(Kind.DIRECTORY, path, mode, 0, 0, NO_HASH, version, writer);
    }

    /** The same change at another path (a receiver's own spelling of the name). */
    public Change withPath(String other) {
        return new Change(kind, other, mode, mtimeMs, size, contentHash, version, writer);
    }

    @Override
    public byte[] contentHash() {
        return contentHash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Change c && kind == c.kind && path.equals(c.path) && mode == c.mode
                && mtimeMs == c.mtimeMs && size == c.size && Arrays.equals(contentHash, c.contentHash)
                && version.equals(c.version) && writer.equals(c.writer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, path, mode, mtimeMs, size, Arrays.hashCode(contentHash), version, writer);
    }

    @Override
    public String toString() {
        return kind + " " + path + (kind == Kind.FILE ? " (" + size + " B, "
                + HexFormat.of().formatHex(contentHash).substring(0, 12) + ")" : "") + " " + version;
    }
}
