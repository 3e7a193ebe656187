package org.flocksy.core.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.flocksy.core.version.VersionVector;

/**
 * The content of a {@link Change.Kind#MOVED} record: the file at the record's path has the content that
 * was at {@code source}, which is deleted in {@code sourceVersion}. A receiver that has that content takes
 * it from its own disk, so a rename or move sends no file bytes. Layout: size u64 · content hash 32 ·
 * source path length u8 · source path (UTF-8) · source version vector.
 *
 * @param size the file's size in bytes
 * @param contentHash BLAKE2b-256 of the file's content
 * @param source the path the content was moved from
 * @param sourceVersion the version in which {@code source} is deleted
 */
public record Move(long size, byte[] contentHash, String source, VersionVector sourceVersion) {
    /** Larger than any valid move: a record announcing more is malformed. */
    public static final int BYTES_MAX = 8 + BundleFormat.HASH_BYTES + 1 + BundleFormat.PATH_BYTES_MAX + 1 + 255 * 24;

    public Move {
        if (size < 0 || contentHash.length != BundleFormat.HASH_BYTES) {
            throw new IllegalArgumentException("size " + size + ", hash of " + contentHash.length + " bytes");
        }
        contentHash = contentHash.clone();
    }

    @Override
    public byte[] contentHash() {
        return contentHash.clone();
    }

    public byte[] encode() {
        byte[] path = source.getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length > BundleFormat.PATH_BYTES_MAX) {
            throw new IllegalArgumentException("path of " + path.length + " bytes: " + source);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).putLong(size).array());
        out.writeBytes(contentHash);
        out.write(path.length);
        out.writeBytes(path);
        out.writeBytes(sourceVersion.toBytes());
        return out.toByteArray();
    }

    public static Move decode(byte[] bytes) throws MalformedBundleException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            long size = in.getLong();
            byte[] hash = new byte[BundleFormat.HASH_BYTES];
            in.get(hash);
            int length = Byte.toUnsignedInt(in.get());
            if (size < 0 || length == 0 || length > BundleFormat.PATH_BYTES_MAX) {
                throw new MalformedBundleException("move of " + size + " bytes from a path of " + length + " bytes");
            }
            byte[] path = new byte[length];
            in.get(path);
            VersionVector version = VersionVector.read(in);
            if (in.hasRemaining()) {
                throw new MalformedBundleException(in.remaining() + " bytes after a move");
            }
            return new Move(size, hash, BundleFormat.path(path), version);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedBundleException("a move ends early: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Move m && size == m.size && Arrays.equals(contentHash, m.contentHash)
                && source.equals(m.source) && sourceVersion.equals(m.sourceVersion);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(contentHash) * 31 + source.hashCode();
    }
}
