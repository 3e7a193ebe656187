package org.flocksy.core.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.core.version.VersionVector;

/**
 * A box's index in brief, the content of a {@link Change.Kind#DIGEST} record: per entry its path, whether
 * it is deleted, and its version. A node that reads another's digest sends whatever it has that the other
 * lacks or has only in an older version (FLOCK.md amendment 4). Layout: count u32 · per item: path length
 * u8 · path (UTF-8) · deleted u8 · version vector.
 */
public record Digest(List<Item> items) {
    /** One entry of the digest. */
    public record Item(String path, boolean deleted, VersionVector version) {}

    public Digest {
        items = List.copyOf(items);
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(items.size()).array());
        for (Item item : items) {
            byte[] path = item.path().getBytes(StandardCharsets.UTF_8);
            if (path.length == 0 || path.length > BundleFormat.PATH_BYTES_MAX) {
                throw new IllegalArgumentException("path of " + path.length + " bytes: " + item.path());
            }
            out.write(path.length);
            out.writeBytes(path);
            out.write(item.deleted() ? 1 : 0);
            out.writeBytes(item.version().toBytes());
        }
        return out.toByteArray();
    }

    public static Digest decode(byte[] bytes) throws MalformedBundleException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            long count = Integer.toUnsignedLong(in.getInt());
            if (count > bytes.length) {
                throw new MalformedBundleException("digest of " + count + " items in " + bytes.length + " bytes");
            }
            List<Item> items = new ArrayList<>((int) count);
            for (long i = 0; i < count; i++) {
                int length = Byte.toUnsignedInt(in.get());
                if (length == 0 || length > BundleFormat.PATH_BYTES_MAX) {
                    throw new MalformedBundleException("digest item " + i + ": path of " + length + " bytes");
                }
                byte[] path = new byte[length];
                in.get(path);
                int deleted = Byte.toUnsignedInt(in.get());
                if (deleted > 1) {
                    throw new MalformedBundleException("digest item " + i + ": deleted flag " + deleted);
                }
                items.add(new Item(BundleFormat.path(path), deleted == 1, VersionVector.read(in)));
            }
            if (in.hasRemaining()) {
                throw new MalformedBundleException(in.remaining() + " bytes after the digest's items");
            }
            return new Digest(items);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedBundleException("digest ends inside an item: " + e.getMessage());
        }
    }
}
