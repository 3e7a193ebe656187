package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The next run this node sends: the queued local changes of one box, planned on the event loop, written
 * into a bundle off it (one bundle at a time, so a burst never holds more than one bundle's disk work) and
 * recorded in the index on the loop; digests go when no change waits. A run that did not happen puts its
 * changes back at the front of the queue.
 */
final class Outbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    /** Records per run: what a receiver applies (and fsyncs) in one go on its event loop stays a few seconds. */
    static final int BUNDLE_RECORDS_MAX = 20_000;
    /** Seconds of slots a run's content fills at the flock's rate: long against a run's fixed cost of 5–8 s. */
    static final int RUN_SECONDS = 15;
    /** Bytes per run at least (whatever the rate), unless one file alone is larger; and a digest's limit. */
    static final long BUNDLE_BYTES_MAX = 8L * 1024 * 1024;
    /** Bytes per run at most: two bundles (one in flight, one prepared) bound the disk they take. */
    static final long BUNDLE_BYTES_CEILING = 512L * 1024 * 1024;
    /** How long a box waits before writing a bundle again after its temp folder failed. */
    static final long RETRY_NANOS = 5_000_000_000L;

    private final LocalChanges changes;
    private final CatchUp catchUp;
    private final Planner planner;
    private final Blake2b blake2b;
    private final Loop loop;
    private final ReadAhead readAhead;
    private final TempFiles temps;
    private final WorkSignal work;
    /** Writes bundles off the event loop; none where the simulator writes them inline. */
    private final ExecutorService preparer;
    /** A bundle is being written. */
    private boolean preparing;
    /** Whether a received bundle is still being applied here. */
    private final BooleanSupplier applying;
    /** A written bundle, the next run. */
    private OutgoingRun prepared;
    /** Bytes the bundle being planned may hold, from the flock's rate when it was asked for. */
    private long bytesMax = BUNDLE_BYTES_MAX;

    Outbox(LocalChanges changes, CatchUp catchUp, Planner planner, Blake2b blake2b, Loop loop, ReadAhead readAhead, TempFiles temps,
           WorkSignal work, String nodeName, BooleanSupplier applying) {
        this.changes = changes;
        this.applying = applying;
        this.catchUp = catchUp;
        this.planner = planner;
        this.blake2b = blake2b;
        this.loop = loop;
        this.readAhead = readAhead;
        this.temps = temps;
        this.work = work;
        this.preparer = readAhead == ReadAhead.INLINE ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flocksy-prepare-" + nodeName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether the next run's bundle is written and waits to go. */
    boolean ready() {
        return prepared != null;
    }

    /** Whether a bundle is being written or waits to go. */
    boolean busy() {
        return preparing || prepared != null;
    }

    /**
     * Bytes of content a run carries at {@code framesPerSecond}: {@link #RUN_SECONDS} of slots, at least
     * {@link #BUNDLE_BYTES_MAX} and at most {@link #BUNDLE_BYTES_CEILING}. The rate is the flock's (the last
     * run's), never this node's own limit, so a run's size says nothing about who sends it.
     */
    static long bytesFor(int framesPerSecond) {
        long bytes = (long) framesPerSecond * FrameCodec.CHUNK_BYTES * RUN_SECONDS;
        return Math.max(BUNDLE_BYTES_MAX, Math.min(BUNDLE_BYTES_CEILING, bytes));
    }

    /**
     * The next local changes as one run ready to announce, or {@code null} for now. Changes are planned from
     * stamps and the index (queued changes of the first queued box, up to {@link #BUNDLE_RECORDS_MAX} records
     * and, unless a single file is larger, {@link #bytesFor} the flock's rate); once the bundle is written the
     * work signal asks again. The bundle after it is prepared at once, while this one is in flight. Digests
     * go when no change waits.
     */
    OutgoingRun next(int framesPerSecond) {
        bytesMax = bytesFor(framesPerSecond);
        if (prepared == null && !preparing) {
            startPreparing();
        }
        if (prepared != null) {
            OutgoingRun run = prepared;
            prepared = null;
            startPreparing();
            return run;
        }
        // A digest waits for the files a scan is still hashing into the index, and for those of a received run
        // still being applied: it would say they are missing here, and peers would send them again.
        return preparing || !changes.isEmpty() || applying.getAsBoolean() ? null : catchUp.next(BUNDLE_BYTES_MAX);
    }

    /** Local changes arrived while a run is on: their bundle is written meanwhile, if none waits yet. */
    void prepareAhead(int framesPerSecond) {
        if (!busy()) {
            bytesMax = bytesFor(framesPerSecond);
            startPreparing();
        }
    }

    /** Plans the next queued changes and hands their bundle to the preparer. */
    private void startPreparing() {
        if (changes.gathering(BUNDLE_RECORDS_MAX)) {
            return;
        }
        for (Box box; (box = changes.firstBox()) != null; ) {
            List<Planned> planned = new ArrayList<>();
            for (QueuedChange change : changes.take(box, BUNDLE_RECORDS_MAX)) {
                try {
                    Planned p = planner.plan(change);
                    if (p != null) {
                        planned.add(p);
                    }
                } catch (IOException e) {
                    log.warn("box '{}': cannot read {}: {}; will retry on its next change", box.name(), change.path(), Problems.describe(e));
                }
            }
            if (planned.isEmpty()) {
                continue;
            }
            Path file = temps.next(box, "out", ".bundle");
            long limit = bytesMax;
            preparing = true;
            Box of = box;
            if (readAhead == ReadAhead.INLINE) {
                finishPreparing(box, planned, () -> BundlePreparer.prepare(of, planned, file, blake2b, limit));
                return;
            }
            preparer.execute(() -> {
                BundlePreparer.Result result = null;
                IOException failure = null;
                try {
                    result = BundlePreparer.prepare(of, planned, file, blake2b, limit);
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException | Error e) {
                    // Reported like a failed write: the loop tries again later, the preparer never stays "busy".
                    failure = new IOException(e);
                }
                BundlePreparer.Result done = result;
                IOException failed = failure;
                loop.post(() -> finishPreparing(of, planned, () -> {
                    if (failed != null) {
                        throw failed;
                    }
                    return done;
                }));
            });
            return;
        }
    }

    /** The outcome of preparing a bundle, taken on the event loop. */
    private interface Outcome {
        BundlePreparer.Result get() throws IOException;
    }

    /**
     * Back on the loop with a written bundle: records its new versions in the index (one transaction) and
     * makes it the next run. If a peer's run changed one of its paths meanwhile, the bundle is dropped and
     * the changes are planned again from what the index says now.
     */
    private void finishPreparing(Box box, List<Planned> planned, Outcome outcome) {
        preparing = false;
        BundlePreparer.Result result;
        try {
            result = outcome.get();
        } catch (IOException e) {
            log.warn("box '{}': cannot write a bundle into {}: {}; trying again in {} s", box.name(), box.tmpDir(),
                    Problems.describe(e), RETRY_NANOS / 1_000_000_000L);
            // Versions already recorded must still go out: send what the index has, after a pause.
            loop.after(RETRY_NANOS, () -> planned.forEach(p -> changes.resend(box, p.key().path())));
            return;
        }
        if (planned.stream().anyMatch(p -> box.entry(p.key().path()) != p.base())) {
            log.debug("box '{}': a peer's run changed paths of the bundle being written; planning it again", box.name());
            TempFiles.delete(result.file());
            planned.forEach(p -> changes.enqueue(p.key()));
            return;
        }
        List<OutgoingRun.Sent> sent = new ArrayList<>();
        try {
            box.batch(() -> {
                for (BundlePreparer.Written w : result.written()) {
                    remember(box, w, sent);
                }
            });
        } catch (IOException e) {
            log.warn("box '{}': cannot record new versions in its index: {}; trying again in {} s", box.name(),
                    Problems.describe(e), RETRY_NANOS / 1_000_000_000L);
            TempFiles.delete(result.file());
            // The in-memory index may already hold the new versions: send what it has, whatever the disk says.
            loop.after(RETRY_NANOS, () -> planned.forEach(p -> changes.resend(box, p.key().path())));
            return;
        }
        try {
            box.batch(() -> {
                for (Planned p : result.restamped()) {
                    // Only the inode changed (a copy with the same content and times): no new version.
                    box.record(p.key().path(), p.stamp(), p.base().hash(), p.base().version(), p.base().writer());
                }
            });
        } catch (IOException e) {
            log.warn("box '{}': cannot record new inodes in its index: {}", box.name(), Problems.describe(e));
        }
        result.changedMeanwhile().forEach(p -> changes.touched(box, box.resolve(p.key().path())));
        result.deferred().forEach(p -> changes.enqueue(p.key()));
        if (sent.isEmpty()) {
            TempFiles.delete(result.file());
            work.raise();
            return;
        }
        RunMetadata metadata = new RunMetadata(box.uid(), result.records(), result.length(), result.hash(), 0);
        prepared = new OutgoingRun(box, sent, metadata, result.hasContent(), result.file(), readAhead);
        work.raise();
    }

    /** Records what a written change means in the box's index: the version this node has now. */
    private static void remember(Box box, BundlePreparer.Written w, List<OutgoingRun.Sent> sent) throws IOException {
        Planned p = w.planned();
        Change c = w.change();
        String diskPath = p.key().path();
        sent.add(new OutgoingRun.Sent(diskPath, c, p.stamp()));
        if (c.kind() == Change.Kind.MOVED) {
            Planned from = p.source();
            sent.add(new OutgoingRun.Sent(from.key().path(), Change.deleted(from.wirePath(), from.version(), from.writer()), null));
            if (p.changed()) {
                box.record(diskPath, p.stamp(), p.hash(), p.version(), p.writer());
                box.recordDeleted(from.key().path(), from.version(), from.writer());
            }
        } else if (p.changed() && c.kind() == Change.Kind.DELETED) {
            box.recordDeleted(diskPath, c.version(), c.writer());
        } else if (p.changed()) {
            box.record(diskPath, p.stamp(), c.kind() == Change.Kind.DIRECTORY ? null : c.contentHash(), c.version(), c.writer());
        }
    }

    /** Puts the changes of a run that did not happen back at the front of the queue, in their order. */
    void requeue(OutgoingRun run) {
        if (prepared != null) {
            // The bundle prepared meanwhile holds later changes: it goes after this run's, planned again.
            putBack(prepared);
            prepared = null;
        }
        putBack(run);
    }

    private void putBack(OutgoingRun run) {
        run.close();
        List<OutgoingRun.Sent> sent = run.sent();
        if (sent.get(0).change().kind() == Change.Kind.DIGEST) {
            catchUp.requeue(run.box());
            return;
        }
        changes.putBack(run.box(), sent.stream().map(OutgoingRun.Sent::diskPath).toList());
    }

    /** Every receiver has the changes (the index recorded them when the bundle was written). */
    void completed(OutgoingRun run) {
        run.close();
    }

    /** Stops the preparer and drops a bundle not yet sent; once the event loop has stopped. */
    @Override
    public void close() {
        if (preparer != null) {
            preparer.shutdownNow();
            try {
                if (!preparer.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("a bundle was still being written at shutdown; its temp file is swept at the next start");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (prepared != null) {
            prepared.close();
            prepared = null;
        }
    }
}
