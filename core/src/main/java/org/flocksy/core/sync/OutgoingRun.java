package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.RunMetadata;

/**
 * One local change on its way out: the metadata to announce and a private snapshot of the content, so
 * that edits made during the run cannot mix two versions (they start another run).
 */
public final class OutgoingRun implements AutoCloseable {
    private final Box box;
    private final String path;
    private final RunMetadata metadata;
    private final Stamp stamp;
    private final Path snapshot;
    private final ReadAhead readAhead;
    private ChunkPump pump;

    OutgoingRun(Box box, String path, RunMetadata metadata, Stamp stamp, Path snapshot, ReadAhead readAhead) {
        this.readAhead = readAhead;
        this.box = box;
        this.path = path;
        this.metadata = metadata;
        this.stamp = stamp;
        this.snapshot = snapshot;
    }

    public Box box() {
        return box;
    }

    public String path() {
        return path;
    }

    /** The metadata with start timepoint 0; the machine sets the start when it announces. */
    public RunMetadata metadata() {
        return metadata;
    }

    /** The stamp of the snapshot, or {@code null} for a deletion. */
    Stamp stamp() {
        return stamp;
    }

    /** Starts reading ahead and returns the source of each slot's payload. */
    public Emitter.BulkSource startPump(String threadName) {
        if (pump == null) {
            pump = new ChunkPump(snapshot, metadata.size(), metadata.chunkCount(), threadName, readAhead);
        }
        ChunkPump p = pump;
        return () -> {
            FileData chunk = p.poll();
            return chunk != null ? chunk : FakeFile.INSTANCE;
        };
    }

    /** Stops the pump and deletes the snapshot. */
    @Override
    public void close() {
        if (pump != null) {
            pump.close();
            pump = null;
        }
        if (snapshot != null) {
            try {
                Files.deleteIfExists(snapshot);
            } catch (IOException e) {
                // Left in .flocksy/tmp; swept at the next start.
            }
        }
    }

    @Override
    public String toString() {
        return box.name() + "/" + path + " (" + metadata.type() + ", " + metadata.size() + " B)";
    }
}
