package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.version.VersionVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files a scan found that the index has never had (a folder new to flocksy, a tree copied in): each is
 * hashed once, off the event loop on every core, and recorded in the index as a new local version; then
 * it waits to be sent as indexed. Only the run being sent copies a file into a bundle, so a scan of a
 * large folder takes as long as reading it, not as long as sending it. The loop records in batches (one
 * transaction each, in the order the hashing finishes).
 */
final class Indexer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Indexer.class);
    /**
     * Files per task and per index transaction, at most: the index commits durably (an fsync each), so a
     * commit per few hundred small files cost more than hashing them.
     */
    static final int BATCH_FILES = 2048;
    /** Bytes per task, at most (unless one file is larger): the first files are sent while the rest is hashed. */
    static final long BATCH_BYTES = 64L * 1024 * 1024;

    /** What becomes of an indexed path: queued to send as indexed, or (changed while read) queued as usual. */
    interface Sink {
        void indexed(Box box, String path);

        void changed(Box box, String path);
    }

    private record Hashed(String path, Stamp stamp, byte[] hash) {}

    private final BoxRegistry boxes;
    private final Loop loop;
    private final Blake2b blake2b;
    private final NodeUid self;
    private final Sink sink;
    /** Hashes on every core; none where the simulator hashes inline on the loop. */
    private final ExecutorService hashers;
    /** Files handed over and not yet recorded or given up. */
    private int pending;
    /** Each hashing thread reads every file into one buffer of its own: a scan of a gigabyte allocates no gigabyte. */
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(Blake2b::fileBuffer);

    Indexer(BoxRegistry boxes, Loop loop, Blake2b blake2b, NodeUid self, ReadAhead readAhead, String nodeName, Sink sink) {
        this.boxes = boxes;
        this.loop = loop;
        this.blake2b = blake2b;
        this.self = self;
        this.sink = sink;
        AtomicInteger threads = new AtomicInteger();
        this.hashers = readAhead == ReadAhead.INLINE ? null : Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = new Thread(r, "flocksy-index-" + nodeName + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            // Below the emission thread, where the OS honours Java priorities: a first scan must not move frames.
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /** Hashes and records {@code files} (regular files the index has no live entry for), in batches. */
    void add(Box box, List<Map.Entry<String, Stamp>> files) {
        Feed feed = feed(box);
        files.forEach(f -> feed.offer(f.getKey(), f.getValue()));
        feed.flush();
    }

    /** Takes files one by one as a walk finds them, and hands them over in batches while the walk goes on. */
    Feed feed(Box box) {
        return new Feed(box);
    }

    /** Files on their way to the hashers, a batch at a time; on the loop. */
    final class Feed {
        private final Box box;
        private List<Map.Entry<String, Stamp>> batch = new ArrayList<>();
        private long bytes;
        private int total;

        private Feed(Box box) {
            this.box = box;
        }

        /** Takes a regular file the index has no live entry for; always true, to be used as a walk's diversion. */
        boolean offer(String path, Stamp stamp) {
            batch.add(Map.entry(path, stamp));
            bytes += stamp.size();
            if (batch.size() == BATCH_FILES || bytes >= BATCH_BYTES) {
                handOver();
            }
            return true;
        }

        /** Hands over what is left. */
        void flush() {
            if (!batch.isEmpty()) {
                handOver();
            }
            if (total > 0) {
                log.info("box '{}': hashing {} files new to its index", box.name(), total);
            }
        }

        private void handOver() {
            total += batch.size();
            submit(box, batch);
            batch = new ArrayList<>();
            bytes = 0;
        }
    }

    private void submit(Box box, List<Map.Entry<String, Stamp>> batch) {
        pending += batch.size();
        if (hashers == null) {
            record(box, batch.size(), hash(box, batch));
            return;
        }
        hashers.execute(() -> {
            List<Hashed> hashed;
            try {
                hashed = hash(box, batch);
            } catch (RuntimeException | Error e) {
                // Handed back unhashed (they go as ordinary changes): a batch that never came back would keep
                // the box "busy" for good, and its digest would never go.
                hashed = batch.stream().map(f -> new Hashed(f.getKey(), f.getValue(), null)).toList();
            }
            List<Hashed> done = hashed;
            loop.post(() -> record(box, batch.size(), done));
        });
    }

    /** Whether files handed over are still being hashed or recorded. */
    boolean busy() {
        return pending > 0;
    }

    /** Off the loop: each file's hash, or a {@code null} hash if it changed or went while it was read. */
    private List<Hashed> hash(Box box, List<Map.Entry<String, Stamp>> files) {
        List<Hashed> result = new ArrayList<>(files.size());
        ByteBuffer buffer = buffers.get();
        for (Map.Entry<String, Stamp> f : files) {
            Path abs = box.resolve(f.getKey());
            byte[] hash = null;
            try {
                hash = blake2b.hash256(abs, f.getValue().size(), buffer);
                if (!Stamp.contentUnchanged(abs, f.getValue())) {
                    hash = null;
                }
            } catch (IOException | RuntimeException e) {
                // Gone or unreadable: the usual path reports it (or its deletion) once it is evaluated again.
            }
            result.add(new Hashed(f.getKey(), f.getValue(), hash));
        }
        return result;
    }

    /**
     * On the loop: records the batch's new versions in one transaction, unless the box stopped syncing
     * meanwhile (its next scan finds the files again) or a peer's run brought one of the paths first.
     */
    private void record(Box box, int files, List<Hashed> hashed) {
        pending -= files;
        if (!boxes.available(box)) {
            return;
        }
        List<String> recorded = new ArrayList<>(hashed.size());
        List<String> other = new ArrayList<>();
        try {
            box.batch(() -> {
                for (Hashed h : hashed) {
                    BoxIndex.Entry entry = box.entry(h.path());
                    if (box.ignoresFile(h.path())) {
                        // Ignored since it was scanned (a new .flocksyignore): neither recorded nor sent.
                        continue;
                    }
                    if (h.hash() == null || (entry != null && !entry.deleted())) {
                        other.add(h.path());
                        continue;
                    }
                    VersionVector base = entry == null ? VersionVector.EMPTY : entry.version();
                    box.record(h.path(), h.stamp(), h.hash(), base.bump(box.replica()), self);
                    recorded.add(h.path());
                }
            });
        } catch (IOException e) {
            log.warn("box '{}': cannot record {} scanned files in its index: {}; sending them as they are", box.name(), hashed.size(),
                    Problems.describe(e));
            // The in-memory index may hold some of them already: each goes as indexed, or as a change if it is not.
            hashed.stream().filter(h -> !box.ignoresFile(h.path())).forEach(h -> sink.indexed(box, h.path()));
            return;
        }
        recorded.forEach(p -> sink.indexed(box, p));
        other.forEach(p -> sink.changed(box, p));
    }

    /** Stops hashing; once the event loop has stopped (what was not recorded is found by the next scan). */
    @Override
    public void close() {
        if (hashers != null) {
            hashers.shutdownNow();
            try {
                hashers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
