package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.MissingChunks;
import org.flocksy.core.wire.RunMetadata;

/**
 * Local changes of one box on their way out, as one bundle: the metadata to announce and a private copy
 * of the bundle, so that edits made during the run cannot mix two versions (they start another run).
 */
public final class OutgoingRun implements AutoCloseable {
    /** One change in the bundle and what to remember once every receiver has it. */
    record Sent(String diskPath, Change change, Stamp stamp) {}

    private final Box box;
    private final List<Sent> sent;
    private final RunMetadata metadata;
    private final boolean hasContent;
    private final Path bundle;
    private final ReadAhead readAhead;
    private ChunkPump pump;
    /** Set once the pump starts; read by the receive thread, which hands it the receivers' loss reports. */
    private volatile CarouselOrder order;
    /** Data frames handed to the scheduler so far; the carousel repeats, so the first round's count is the chunks sent. */
    private final AtomicLong dataFrames = new AtomicLong();

    OutgoingRun(Box box, List<Sent> sent, RunMetadata metadata, boolean hasContent, Path bundle, ReadAhead readAhead) {
        this.box = box;
        this.sent = List.copyOf(sent);
        this.metadata = metadata;
        this.hasContent = hasContent;
        this.bundle = bundle;
        this.readAhead = readAhead;
    }

    public Box box() {
        return box;
    }

    List<Sent> sent() {
        return sent;
    }

    /** The changes carried, in bundle order. */
    public List<Change> changes() {
        return sent.stream().map(Sent::change).toList();
    }

    /** The metadata with start timepoint 0; the machine sets the start when it announces. */
    public RunMetadata metadata() {
        return metadata;
    }

    /** Whether any change carries content bytes; a run without is a metadata-only run (160/170). */
    public boolean hasContent() {
        return hasContent;
    }

    /** Starts reading ahead and returns the source of each slot's payload. */
    public Emitter.BulkSource startPump(String threadName) {
        if (pump == null) {
            order = new CarouselOrder(metadata.chunkCount(), metadata.reportTag());
            pump = new ChunkPump(bundle, metadata.length(), metadata.chunkCount(), order, threadName, readAhead);
        }
        ChunkPump p = pump;
        return () -> {
            FileData chunk = p.poll();
            if (chunk == null) {
                return FakeFile.INSTANCE;
            }
            dataFrames.incrementAndGet();
            return chunk;
        };
    }

    /**
     * A receiver's loss report (see {@link CarouselOrder}); on the receive thread. Ignored before the pump starts
     * and for another run.
     *
     * @return how many chunks it asked for again
     */
    public int reported(MissingChunks report) {
        CarouselOrder o = order;
        return o == null ? 0 : o.reported(report);
    }

    /** Distinct chunks of the bundle sent at least once. */
    public long chunksSent() {
        return Math.min(dataFrames.get(), metadata.chunkCount());
    }

    /** Stops the pump and deletes the bundle file. */
    @Override
    public void close() {
        if (pump != null) {
            pump.close();
            pump = null;
        }
        try {
            Files.deleteIfExists(bundle);
        } catch (IOException e) {
            // Left in .flocksy/tmp; swept at the next start.
        }
    }

    @Override
    public String toString() {
        String what = sent.size() == 1 ? sent.get(0).change().toString() : sent.size() + " changes";
        return "box '" + box.name() + "': " + what + " (" + metadata.length() + " B bundle)";
    }
}
