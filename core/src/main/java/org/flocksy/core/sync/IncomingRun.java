package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.scheduler.Emitter;
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
    /** How many bits of {@link #received} are set. */
    private int receivedCount;
    private final int chunks;
    /** The highest chunk index taken so far; a new chunk below it filled a gap. */
    private int highest = -1;
    /** A chunk came only in a later round of the carousel: frames were dropped on the way (a publisher at its limit). */
    private boolean gaps;
    /** Received again after a failed verification, from wherever the carousel was: gaps say nothing then. */
    private boolean restarted;
    /** A chunk at or below {@link #highest} came: the first round is over, every chunk not here is missing. */
    private boolean pastFirstRound;
    /** This node's file frames in the run, which tell the originator what is missing. */
    private final LossReporter reporter;
    /** Data frames taken since what is missing was last published; published every {@link #reportEvery}. */
    private int sinceReport;
    private final int reportEvery;
    private FileChannel channel;
    /** Chunks that follow each other, written together: at a high rate one write per chunk costs more than the data. */
    private final ByteBuffer pending = ByteBuffer.allocate(WRITE_BATCH_BYTES);
    /** Where {@link #pending} goes in the file. */
    private long pendingAt;
    /** Bytes received contiguously are written in pieces of this size. */
    static final int WRITE_BATCH_BYTES = 256 * 1024;
    private final Blake2b blake2b;
    /** The bundle's hash over the bytes written in order so far, so a complete bundle need not be read again. */
    private Blake2b.Hasher hasher;
    /** How far {@link #hasher} got; -1 once a chunk came out of order (the bundle is then hashed from disk). */
    private long hashedTo;

    IncomingRun(String peer, Box box, RunMetadata metadata, String refusal, Path temp, Blake2b blake2b) {
        this.peer = peer;
        this.box = box;
        this.metadata = metadata;
        this.refusal = refusal;
        this.temp = temp;
        this.chunks = metadata.chunkCount();
        this.blake2b = blake2b;
        this.hasher = blake2b.newHasher();
        this.reporter = new LossReporter(metadata.reportTag(), chunks, metadata.framesPerSecond());
        // About ten times a second while chunks arrive at the run's rate, as often as reports go out.
        this.reportEvery = Math.max(1, metadata.framesPerSecond() / 10);
    }

    /** What this node sends in the run's slots: fake frames, some carrying its loss reports. */
    public Emitter.BulkSource fileFrames() {
        return reporter;
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
            taken(index);
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
        receivedCount++;
        gaps |= index < highest && !restarted;
        taken(index);
        return null;
    }

    /** Chunk {@code index} arrived, new or not: now and then the loss report is brought up to date. */
    private void taken(int index) {
        pastFirstRound |= index <= highest;
        highest = Math.max(highest, index);
        if (receivedCount == chunks) {
            // Nothing missing any more: an older report must not keep asking for chunks this node holds.
            reporter.clear();
            return;
        }
        if (++sinceReport < reportEvery) {
            return;
        }
        sinceReport = 0;
        if (pastFirstRound) {
            reporter.publish(received, chunks, index);
        } else if (receivedCount == highest + 1) {
            reporter.clear();
        } else {
            // In the first round only the chunks before the latest can have been lost; the rest are still to come.
            reporter.publish(received, highest, index);
        }
    }

    /** Whether some chunk was missed in the carousel's first round: the run went faster than the flock carries. */
    public boolean lostFrames() {
        return gaps;
    }

    public boolean complete() {
        return receivedCount == chunks;
    }

    public int chunksReceived() {
        return receivedCount;
    }

    /** Writes the chunks held back into the temp file. */
    private void flush() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        if (pendingAt == hashedTo) {
            hasher.update(pending.array(), pending.position());
            hashedTo += pending.position();
        } else {
            hashedTo = -1;
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
        hasher = blake2b.newHasher();
        hashedTo = 0;
        restarted = true;
        pastFirstRound = true;
        closeChannel();
        received.clear();
        receivedCount = 0;
        reporter.clear();
        if (temp != null) {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Writes what is held back and closes the temp file. No fsync: a bundle a crash cut short is swept at
     * the next start and received again; the files taken out of it are fsynced before they are renamed.
     */
    void finish() throws IOException {
        if (temp != null) {
            flush();
        }
        closeChannel();
        if (temp != null && !Files.exists(temp)) {
            Files.createFile(temp);
        }
    }

    /** The BLAKE2b-256 of the bundle as written, or of the temp file if its chunks came out of order; after {@link #finish}. */
    byte[] hash() throws IOException {
        return hashedTo == metadata.length() ? hasher.finish() : blake2b.hash256(temp);
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** The verified bundle, after {@link #finish}; from now on the caller owns the file and {@link #discard} leaves it. */
    Path handOver() {
        Path bundle = temp;
        temp = null;
        return bundle;
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
