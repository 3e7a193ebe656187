package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.flocksy.core.bundle.BundleReader;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.crypto.Blake2b;

/**
 * A change to apply and where its content comes from: the received bundle, or (for a rename) the file this
 * node already has at the old path.
 *
 * @param movedAway the change deletes a path whose content was just placed elsewhere by the same rename:
 *     no need to keep it in the versions
 */
record Received(Change change, Content content, boolean movedAway) {
    /** The bytes of a file record. */
    interface Content {
        /** Copies the content into {@code out} and returns its BLAKE2b-256. */
        byte[] copyTo(WritableByteChannel out) throws IOException;
    }

    private static final Content NONE = out -> {
        throw new IllegalStateException("a record without content");
    };

    static Received of(BundleReader reader, BundleReader.Entry entry, Blake2b blake2b) {
        return new Received(entry.change(), out -> reader.copyContent(entry, out, blake2b), false);
    }

    /**
     * A file record whose content is the local file {@code source}, as the box's stamp of it saw it: a link
     * synced as a link ({@code asLink}) gives the text of its target, anything else must be a regular file,
     * read through a link only where the box follows links (a FIFO would block the loop for good, a device
     * would never end).
     */
    static Received local(Change change, Path source, boolean asLink, LinkMode links, Blake2b blake2b) {
        LinkOption[] how = links == LinkMode.FOLLOW ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        return new Received(change, out -> {
            Blake2b.Hasher hasher = blake2b.newHasher();
            if (asLink) {
                ByteBuffer target = ByteBuffer.wrap(Stamp.target(source));
                hasher.update(target.array(), target.remaining());
                while (target.hasRemaining()) {
                    out.write(target);
                }
                return hasher.finish();
            }
            if (!Files.isRegularFile(source, how)) {
                throw new IOException(source + " is not a regular file");
            }
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try (FileChannel in = links == LinkMode.FOLLOW ? FileChannel.open(source, StandardOpenOption.READ)
                    : FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long left = change.size();
                for (int n; left > 0 && (n = in.read(buffer.clear().limit((int) Math.min(buffer.capacity(), left)))) > 0; left -= n) {
                    buffer.flip();
                    hasher.update(buffer.array(), n);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
            }
            return hasher.finish();
        }, false);
    }

    /** A record without content (a deletion that is part of a rename). */
    static Received deletion(Change change, boolean movedAway) {
        return new Received(change, NONE, movedAway);
    }

    Received withChange(Change other) {
        return new Received(other, content, movedAway);
    }
}
