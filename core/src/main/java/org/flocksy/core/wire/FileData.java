package org.flocksy.core.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * A 200 frame: {@code size} valid bytes of the run's content at {@code offset}; {@code more} is false on
 * the last chunk. The bytes are {@code data[dataOffset .. dataOffset + size)}: a chunk read straight into a
 * frame, or received in one, is used where it lies, never copied.
 */
public record FileData(long offset, int size, boolean more, byte[] data, int dataOffset) implements Frame {
    public FileData {
        Objects.requireNonNull(data, "data");
        if (offset < 0 || offset % FrameCodec.CHUNK_BYTES != 0) {
            throw new IllegalArgumentException("offset must be a non-negative multiple of " + FrameCodec.CHUNK_BYTES);
        }
        if (size < 0 || size > FrameCodec.CHUNK_BYTES || dataOffset < 0 || data.length - dataOffset < size) {
            throw new IllegalArgumentException("size " + size + " out of range");
        }
    }

    /** A chunk at the start of its own array. */
    public FileData(long offset, int size, boolean more, byte[] data) {
        this(offset, size, more, data, 0);
    }

    @Override
    public Status status() {
        return Status.FILE_DATA;
    }

    public long chunkIndex() {
        return offset / FrameCodec.CHUNK_BYTES;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileData f && offset == f.offset && size == f.size && more == f.more
                && Arrays.equals(data, dataOffset, dataOffset + size, f.data, f.dataOffset, f.dataOffset + f.size);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, size, more);
    }

    @Override
    public String toString() {
        return "FileData[offset=" + offset + " size=" + size + " more=" + more + "]";
    }
}
