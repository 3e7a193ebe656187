package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.RunMetadata;

/**
 * One run arriving: a chunk bitmap and the bundle's temp file in the box's {@code .flocksy/tmp}. Nothing
 * is visible in the box until {@link RunApplier#apply} verified the whole bundle. A run this node cannot
 * apply (unknown or vanished box) is still received to the end, into nothing, so the run looks the same.
 */
public final class IncomingRun {
    private final String peer;
    private final Box box;
    private final RunMetadata metadata;
    private String refusal;
    private Path temp;
    private final BitSet received = new BitSet();
    private final int chunks;
    private FileChannel channel;
    /** Chunks that follow each other, written together: at a high rate one write per chunk costs more than the data. */
    private final ByteBuffer pending = ByteBuffer.allocate(WRITE_BATCH_BYTES);
    /** Where {@link #pending} goes in the file. */
    private long pendingAt;
    /** Bytes received contiguously are written in pieces of this size. */
    static final int WRITE_BATCH_BYTES = 256 * 1024;

    IncomingRun(String peer, Box box, RunMetadata metadata, String refusal, Path temp) {
        this.peer = peer;
        this.box = box;
        this.metadata = metadata;
        this.refusal = refusal;
        this.temp = temp;
        this.chunks = metadata.chunkCount();
    }

    public String peer() {
        return peer;
    }

    public RunMetadata metadata() {
        return metadata;
    }

    public Box box() {
        return box;
    }

    Path temp() {
        return temp;
    }

    /** Why this run will not be applied here, or {@code null}. */
    public String refusal() {
        return refusal;
    }

    /**
     * Takes one chunk. Duplicates (the carousel's next round) are ignored.
     *
     * @return why the chunk does not fit this run, or {@code null}
     */
    public String accept(FileData chunk) throws IOException {
        long longIndex = chunk.offset() / FrameCodec.CHUNK_BYTES;
        if (longIndex >= chunks) {
            return "chunk " + longIndex + " beyond the announced " + chunks;
        }
        int index = (int) longIndex;
        long expected = Math.min(FrameCodec.CHUNK_BYTES, metadata.length() - (long) index * FrameCodec.CHUNK_BYTES);
        if (chunk.size() != expected || chunk.more() != (index < chunks - 1)) {
            return "chunk " + index + " has size " + chunk.size() + " more=" + chunk.more() + ", announced length "
                    + metadata.length();
        }
        if (received.get(index)) {
            return null;
        }
        if (temp != null) {
            try {
                if (channel == null) {
                    // Opened with the first chunk, so a temp folder that cannot be written is noticed at once.
                    channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                }
                if (pending.position() > 0 && (chunk.offset() != pendingAt + pending.position() || pending.remaining() < chunk.size())) {
                    flush();
                }
                if (pending.position() == 0) {
                    pendingAt = chunk.offset();
                }
                pending.put(chunk.data(), chunk.dataOffset(), chunk.size());
            } catch (IOException e) {
                // Keep taking part in the run, into nothing: leaving it would stall the originator.
                discard();
                temp = null;
                refusal = "cannot write " + e.getMessage();
                throw e;
            }
        }
        received.set(index);
        return null;
    }

    public boolean complete() {
        return received.cardinality() == chunks;
    }

    public int chunksReceived() {
        return received.cardinality();
    }

    /** Writes the chunks held back into the temp file. */
    private void flush() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        long position = pendingAt;
        while (pending.hasRemaining()) {
            position += channel.write(pending, position);
        }
        pending.clear();
    }

    /** Forget what arrived (after a failed verification); the carousel sends everything again. */
    void restart() throws IOException {
        pending.clear();
        closeChannel();
        received.clear();
        if (temp != null) {
            Files.deleteIfExists(temp);
        }
    }

    /** Flushes the temp file to disk and closes it. */
    void sync() throws IOException {
        if (temp != null) {
            flush();
        }
        if (channel != null) {
            channel.force(true);
        }
        closeChannel();
        if (temp != null && !Files.exists(temp)) {
            Files.createFile(temp);
        }
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Drops the run: the temp file goes, the box is untouched. */
    public void discard() {
        pending.clear();
        try {
            closeChannel();
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            // Swept at the next start.
        }
    }
}
