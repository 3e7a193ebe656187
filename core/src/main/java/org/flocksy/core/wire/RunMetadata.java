package org.flocksy.core.wire;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The 130 payload: what a run carries and when it starts. flocksy's layout (see docs/protocol.md):
 * box UID 32 · path 128 (UTF-8, NUL-padded) · mode u16 · type u8 · mtime u64 ms · size u64 ·
 * content hash 32 · start timepoint u64 ms.
 *
 * @param path relative path with {@code /} separators; checked for safety by the receiver, not here
 */
public record RunMetadata(byte[] boxUid, String path, int mode, EntryType type, long mtimeMs, long size,
                          byte[] contentHash, long startMs) implements Payload {

    /** What the entry is; the numbers are the seed's Boost file_type values. */
    public enum EntryType {
        DELETED(1), REGULAR(2);

        public final int wire;

        EntryType(int wire) {
            this.wire = wire;
        }

        static EntryType ofWire(int value) {
            for (EntryType t : values()) {
                if (t.wire == value) {
                    return t;
                }
            }
            return null;
        }
    }

    public RunMetadata {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        if (boxUid.length != FrameCodec.HASH_BYTES || contentHash.length != FrameCodec.HASH_BYTES) {
            throw new IllegalArgumentException("box uid and content hash are 32 bytes");
        }
        if (mode < 0 || mode > 0xFFFF) {
            throw new IllegalArgumentException("mode out of range: " + mode);
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
        boxUid = boxUid.clone();
        contentHash = contentHash.clone();
    }

    @Override
    public byte[] boxUid() {
        return boxUid.clone();
    }

    @Override
    public byte[] contentHash() {
        return contentHash.clone();
    }

    /** Data frames the content occupies: a zero-length file still takes one (size 0, more 0). */
    public int chunkCount() {
        return (int) Math.max(1, (size + FrameCodec.CHUNK_BYTES - 1) / FrameCodec.CHUNK_BYTES);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunMetadata m && Arrays.equals(boxUid, m.boxUid) && path.equals(m.path)
                && mode == m.mode && type == m.type && mtimeMs == m.mtimeMs && size == m.size
                && Arrays.equals(contentHash, m.contentHash) && startMs == m.startMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(boxUid), path, mode, type, mtimeMs, size, Arrays.hashCode(contentHash), startMs);
    }

    @Override
    public String toString() {
        return "RunMetadata[" + type + " " + path + " size=" + size + " hash="
                + HexFormat.of().formatHex(contentHash).substring(0, 12) + " start=" + startMs + "]";
    }
}
