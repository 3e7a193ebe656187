package org.flocksy.core.bundle;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.version.VersionVector;

/**
 * Reads a received bundle record by record. The caller verified the whole stream's hash first; the checks
 * here are against a member that sends a well-hashed but malformed bundle.
 */
public final class BundleReader implements AutoCloseable {
    /** A record and where its content lies in the bundle file. */
    public record Entry(Change change, long contentOffset) {}

    private static final int COPY_BUFFER_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final long length;
    private final int records;
    private int read;
    private long position;

    /**
     * @param records the count announced for the bundle; the stream must hold exactly that many
     */
    public BundleReader(Path file, int records) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.length = channel.size();
        this.records = records;
    }

    /** The next record, or {@code null} after the last one. */
    public Entry next() throws IOException, MalformedBundleException {
        if (read == records) {
            if (position != length) {
                throw new MalformedBundleException((length - position) + " bytes after the last of " + records + " records");
            }
            return null;
        }
        ByteBuffer fixed = readExactly(2);
        Change.Kind kind = Change.Kind.ofWire(Byte.toUnsignedInt(fixed.get()));
        int pathBytes = Byte.toUnsignedInt(fixed.get());
        if (kind == null) {
            throw new MalformedBundleException("record " + read + ": unknown kind");
        }
        if (pathBytes == 0 || pathBytes > BundleFormat.PATH_BYTES_MAX) {
            throw new MalformedBundleException("record " + read + ": path of " + pathBytes + " bytes");
        }
        ByteBuffer rest = readExactly(pathBytes + 2 + 8 + 8);
        byte[] rawPath = new byte[pathBytes];
        rest.get(rawPath);
        String path = BundleFormat.path(rawPath);
        int mode = Short.toUnsignedInt(rest.getShort());
        long mtime = rest.getLong();
        long size = rest.getLong();
        VersionVector version;
        try {
            int nodes = Byte.toUnsignedInt(readExactly(1).get(0));
            ByteBuffer vv = ByteBuffer.allocate(1 + nodes * (NodeUid.BYTES + 8)).put((byte) nodes).put(readExactly(nodes * (NodeUid.BYTES + 8)));
            version = VersionVector.fromBytes(vv.array());
        } catch (IllegalArgumentException e) {
            throw new MalformedBundleException("record " + read + " (" + path + "): " + e.getMessage());
        }
        byte[] writer = new byte[NodeUid.BYTES];
        readExactly(NodeUid.BYTES).get(writer);
        if (size < 0 || (!kind.hasContent() && size != 0) || size > length - position - BundleFormat.HASH_BYTES) {
            throw new MalformedBundleException("record " + read + " (" + path + "): size " + size + " does not fit the bundle");
        }
        long contentOffset = position;
        position += size;
        byte[] hash = new byte[BundleFormat.HASH_BYTES];
        readExactly(BundleFormat.HASH_BYTES).get(hash);
        read++;
        return new Entry(new Change(kind, path, mode, mtime, size, hash, version, NodeUid.of(writer)), contentOffset);
    }

    /**
     * Copies a file record's content into {@code out}.
     *
     * @return the BLAKE2b-256 of the bytes copied
     */
    public byte[] copyContent(Entry entry, WritableByteChannel out, Blake2b blake2b) throws IOException {
        Blake2b.Hasher hasher = blake2b.newHasher();
        ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER_BYTES);
        long at = entry.contentOffset();
        long end = at + entry.change().size();
        while (at < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException("bundle ends inside a record");
            }
            at += n;
            buffer.flip();
            hasher.update(buffer.array(), buffer.limit());
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
        return hasher.finish();
    }

    private ByteBuffer readExactly(int n) throws IOException, MalformedBundleException {
        if (n > length - position) {
            throw new MalformedBundleException("record " + read + " runs past the end of the bundle");
        }
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("bundle shorter than its size");
            }
        }
        position += n;
        return buffer.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
