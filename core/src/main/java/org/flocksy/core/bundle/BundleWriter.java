package org.flocksy.core.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.version.VersionVector;

/** Writes a bundle into a file, record by record. A file that changes while it is copied is left out whole. */
public final class BundleWriter implements AutoCloseable {
    private static final int COPY_BUFFER_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final Blake2b blake2b;
    /** The whole bundle's hash, kept as it is written: the bundle is not read again to announce it. */
    private Blake2b.Hasher bundleHash;
    private int records;
    private boolean hasContent;

    public BundleWriter(Path file, Blake2b blake2b) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.blake2b = blake2b;
        this.bundleHash = blake2b.newHasher();
    }

    /** Appends a record without content (deleted, directory, attributes). */
    public void add(Change change) throws IOException {
        if (change.kind().hasContent()) {
            throw new IllegalArgumentException(change.kind() + " records carry content");
        }
        writeFully(BundleFormat.header(change).array());
        writeFully(change.contentHash());
        records++;
    }

    /**
     * Appends a file record, streaming {@code source} into the bundle and hashing it on the way.
     *
     * @return the record written, with its content hash, or {@code null} if the file did not hold
     *     {@code size} bytes (it is being written): then nothing was appended
     */
    public Change addFile(String path, int mode, long mtimeMs, long size, Path source, VersionVector version,
                          NodeUid writer) throws IOException {
        return addFile(path, mode, mtimeMs, size, source, version, writer, () -> true);
    }

    /** Whether a file copied into the bundle is still the version that was planned. */
    public interface Unchanged {
        boolean holds() throws IOException;
    }

    /**
     * Like {@link #addFile(String, int, long, long, Path, VersionVector, NodeUid)}, and takes the record back
     * (returns {@code null}) if {@code unchanged} does not hold once the bytes are copied: a file written
     * during the copy may mix two versions.
     */
    public Change addFile(String path, int mode, long mtimeMs, long size, Path source, VersionVector version,
                          NodeUid writer, Unchanged unchanged) throws IOException {
        long start = channel.position();
        Blake2b.Hasher before = bundleHash.copy();
        writeFully(BundleFormat.header(new Change(Change.Kind.FILE, path, mode, mtimeMs, size, Change.NO_HASH, version, writer)).array());
        Blake2b.Hasher hasher = blake2b.newHasher();
        long copied = 0;
        try (InputStream in = openOrUndo(source, start, before)) {
            byte[] buffer = new byte[COPY_BUFFER_BYTES];
            for (int n; copied <= size && (n = in.read(buffer)) > 0; copied += n) {
                int keep = (int) Math.min(n, size - copied);
                hasher.update(buffer, keep);
                writeFully(buffer, keep);
                if (keep < n) {
                    copied = size + 1;
                    break;
                }
            }
        } catch (IOException e) {
            // A read or write failing halfway must not leave half a record in the bundle.
            undo(start, before);
            throw e;
        }
        byte[] hash = hasher.finish();
        if (copied != size || !unchanged.holds()) {
            undo(start, before);
            return null;
        }
        writeFully(hash);
        records++;
        hasContent |= size > 0;
        return new Change(Change.Kind.FILE, path, mode, mtimeMs, size, hash, version, writer);
    }

    /** Appends a digest of the box's index (path "."), written by {@code writer}. */
    public void addDigest(byte[] content, NodeUid writer) throws IOException {
        addWithContent(new Change(Change.Kind.DIGEST, ".", 0, 0, content.length, blake2b.hash256(content), VersionVector.EMPTY, writer),
                content);
    }

    /** Appends a rename or move: the file at {@code path} now has the content {@code move} names. */
    public Change addMove(String path, int mode, long mtimeMs, Move move, VersionVector version, NodeUid writer) throws IOException {
        byte[] content = move.encode();
        Change change = new Change(Change.Kind.MOVED, path, mode, mtimeMs, content.length, blake2b.hash256(content), version, writer);
        addWithContent(change, content);
        return change;
    }

    /** Appends a record whose content is small and in memory (a link's target text). */
    public Change addContent(Change.Kind kind, String path, int mode, long mtimeMs, byte[] content, VersionVector version, NodeUid writer)
            throws IOException {
        Change change = new Change(kind, path, mode, mtimeMs, content.length, blake2b.hash256(content), version, writer);
        addWithContent(change, content);
        return change;
    }

    private void addWithContent(Change change, byte[] content) throws IOException {
        writeFully(BundleFormat.header(change).array());
        writeFully(content);
        writeFully(change.contentHash());
        records++;
        hasContent |= content.length > 0;
    }

    /** Opens a file to copy; if it cannot be read, the header already written is taken back. */
    private InputStream openOrUndo(Path source, long start, Blake2b.Hasher before) throws IOException {
        try {
            return Files.newInputStream(source);
        } catch (IOException e) {
            undo(start, before);
            throw e;
        }
    }

    /** Takes back what was written since {@code start}, from the file and from the bundle's hash. */
    private void undo(long start, Blake2b.Hasher before) throws IOException {
        channel.truncate(start);
        channel.position(start);
        bundleHash = before;
    }

    public int records() {
        return records;
    }

    /** Whether any record carries content bytes (a run with none is a metadata-only run). */
    public boolean hasContent() {
        return hasContent;
    }

    public long length() throws IOException {
        return channel.position();
    }

    /** The BLAKE2b-256 of everything written so far. */
    public byte[] hash() {
        return bundleHash.copy().finish();
    }

    private void writeFully(byte[] data) throws IOException {
        writeFully(data, data.length);
    }

    private void writeFully(byte[] data, int length) throws IOException {
        bundleHash.update(data, length);
        ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Closes the file. No fsync: an outgoing bundle that a crash cut short is swept from {@code .flocksy/tmp}
     * at the next start, and the versions it carried reach the peers that lack them through the digests
     * exchanged when the node rejoins; until then the page cache serves the run. (Received files are fsynced before they are renamed into place; that is where durability counts.)
     */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
