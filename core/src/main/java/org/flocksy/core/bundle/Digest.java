package org.flocksy.core.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.flocksy.core.version.VersionVector;

/**
 * A box's index in brief, the content of a {@link Change.Kind#DIGEST} record: per entry its path, whether
 * it is deleted, and its version. A node that reads another's digest sends whatever it has that the other
 * lacks or has only in an older version (FLOCK.md amendment 4). A large index goes in several digests,
 * each covering the paths from {@code from} (inclusive) to {@code until} (exclusive); empty bounds are
 * open. Layout: from length u8 · from · until length u8 · until · count u32 · per item: path length u8 ·
 * path (UTF-8) · deleted u8 · version vector.
 */
public record Digest(String from, String until, List<Item> items) {
    /** One entry of the digest. */
    public record Item(String path, boolean deleted, VersionVector version) {}

    public Digest {
        items = List.copyOf(items);
    }

    /** A digest of the whole index. */
    public Digest(List<Item> items) {
        this("", "", items);
    }

    /** Whether {@code path} lies in the range this digest covers. */
    public boolean covers(String path) {
        return (from.isEmpty() || path.compareTo(from) >= 0) && (until.isEmpty() || path.compareTo(until) < 0);
    }

    /**
     * The digests of an index, each at most about {@code bytesMax} long: items sorted by path and cut into
     * ranges that together cover every path.
     */
    public static List<Digest> split(List<Item> items, long bytesMax) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(Item::path));
        List<Digest> parts = new ArrayList<>();
        int start = 0;
        long size = 0;
        for (int i = 0; i < sorted.size(); i++) {
            long itemBytes = 2 + sorted.get(i).path().getBytes(StandardCharsets.UTF_8).length + sorted.get(i).version().toBytes().length;
            if (i > start && size + itemBytes > bytesMax - 2 * (1 + BundleFormat.PATH_BYTES_MAX) - 4) {
                parts.add(new Digest(start == 0 ? "" : sorted.get(start).path(), sorted.get(i).path(), sorted.subList(start, i)));
                start = i;
                size = 0;
            }
            size += itemBytes;
        }
        parts.add(new Digest(start == 0 ? "" : sorted.get(start).path(), "", sorted.subList(start, sorted.size())));
        return parts;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String bound : new String[] {from, until}) {
            byte[] b = bound.getBytes(StandardCharsets.UTF_8);
            if (b.length > BundleFormat.PATH_BYTES_MAX) {
                throw new IllegalArgumentException("bound of " + b.length + " bytes: " + bound);
            }
            out.write(b.length);
            out.writeBytes(b);
        }
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
            String[] bounds = new String[2];
            for (int b = 0; b < 2; b++) {
                int length = Byte.toUnsignedInt(in.get());
                if (length > BundleFormat.PATH_BYTES_MAX) {
                    throw new MalformedBundleException("digest bound of " + length + " bytes");
                }
                byte[] raw = new byte[length];
                in.get(raw);
                bounds[b] = length == 0 ? "" : BundleFormat.path(raw);
            }
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
            return new Digest(bounds[0], bounds[1], items);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new MalformedBundleException("digest ends inside an item: " + e.getMessage());
        }
    }
}
