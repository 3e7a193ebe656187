package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.ChangeListener;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.ignore.IgnoreRules;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.loop.Loop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What changed here and waits to be sent: watcher events settle for a moment (a file being written is
 * evaluated once), each path is compared with the index, and the paths that differ wait in one queue in
 * the order they were found. Confined to the kernel's event loop; watchers post into it.
 */
final class LocalChanges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalChanges.class);
    /** A path is evaluated once no event arrived for it this long: a file being written settles first. */
    static final long SETTLE_NANOS = 300_000_000L;
    /**
     * How long queued changes may wait for files found with them that are still being hashed: a folder copied
     * in goes in one run, not in a run for its first files and more for the rest (every run costs seconds of
     * fixed time, whatever it carries: 10 000 files went in three runs and took 36 s, in one 24 s).
     */
    static final long GATHER_NANOS = 2_000_000_000L;

    private final BoxRegistry boxes;
    private final Loop loop;
    private final Clock clock;
    private final WorkSignal work;
    /** Hashes the files a scan found that the index never had, before they are queued. */
    private final Indexer indexer;
    /** Paths with events, by when the last one came. */
    private final Map<QueuedChange, Long> settling = new HashMap<>();
    private final Deque<QueuedChange> queue = new ArrayDeque<>();
    private final Set<QueuedChange> queued = new HashSet<>();
    /** Queued paths to send as the index has them even if the disk did not change (a run that failed). */
    private final Set<QueuedChange> resend = new HashSet<>();
    /** When the queue last went from empty to holding something. */
    private long queuedSinceNanos;
    private boolean gatherTimer;

    LocalChanges(BoxRegistry boxes, Loop loop, Clock clock, WorkSignal work, Blake2b blake2b, NodeUid self, ReadAhead readAhead,
                 String nodeName) {
        this.boxes = boxes;
        this.loop = loop;
        this.clock = clock;
        this.work = work;
        this.indexer = new Indexer(boxes, loop, blake2b, self, readAhead, nodeName, new Indexer.Sink() {
            @Override
            public void indexed(Box box, String path) {
                // A regular file the indexer just checked against the ignore rules: no second check (and stat).
                resend.add(new QueuedChange(box, path));
                queue(new QueuedChange(box, path));
            }

            @Override
            public void changed(Box box, String path) {
                enqueue(box, path);
            }
        });
    }

    /** What a box's watcher reports into: every event goes to the event loop. */
    ChangeListener listenerFor(Box box) {
        return new ChangeListener() {
            @Override
            public void onChange(ChangeEvent event) {
                loop.post(() -> touched(box, event.path()));
            }

            @Override
            public void onOverflow() {
                loop.post(() -> rescan(box, "after lost watch events"));
            }
        };
    }

    /** Something happened at {@code absolute}: it is evaluated once it settled. */
    void touched(Box box, Path absolute) {
        String rel = box.relative(absolute);
        if (rel == null) {
            return;
        }
        if (rel.equals(IgnoreRules.FILE_NAME)) {
            loop.after(SETTLE_NANOS, () -> reloadIgnoreRules(box));
        }
        settling.put(new QueuedChange(box, rel), clock.monotonicNanos());
        loop.after(SETTLE_NANOS, this::settle);
    }

    private void settle() {
        long now = clock.monotonicNanos();
        List<QueuedChange> ready = new ArrayList<>();
        settling.forEach((change, last) -> {
            if (now - last >= SETTLE_NANOS) {
                ready.add(change);
            }
        });
        ready.forEach(settling::remove);
        ready.forEach(c -> evaluate(c.box(), c.path()));
    }

    /** Compares one path (a file, or a directory and all below it) with what is known, queueing differences. */
    void evaluate(Box box, String rel) {
        if (!boxes.available(box)) {
            return;
        }
        Path abs = box.resolve(rel);
        try {
            Stamp stamp = box.stamp(abs);
            if (stamp != null && stamp.directory()) {
                enqueueDifferences(box, box.scan(abs), box.knownUnder(rel), false);
                return;
            }
            if (stamp == null) {
                for (String k : box.knownUnder(rel)) {
                    if (box.stamp(box.resolve(k)) == null) {
                        enqueue(box, k);
                    }
                }
            } else if (!stamp.equals(box.known(rel))) {
                enqueue(box, rel);
            }
            // A folder made on the way (mv into a new folder) may never be reported on its own: announce it with
            // the path, or it stays here alone once the file is gone.
            for (int slash = rel.lastIndexOf('/'); slash > 0; slash = rel.lastIndexOf('/', slash - 1)) {
                String parent = rel.substring(0, slash);
                if (box.known(parent) != null) {
                    break;
                }
                if (Files.isDirectory(box.resolve(parent), LinkOption.NOFOLLOW_LINKS)) {
                    enqueue(box, parent);
                }
            }
        } catch (IOException e) {
            log.warn("box '{}': cannot read {}: {}; not syncing it until it can be read", box.name(), rel, Problems.describe(e));
        }
    }

    /** Compares the whole box with its index, queueing every difference. */
    void rescan(Box box, String why) {
        if (!boxes.available(box)) {
            return;
        }
        log.info("box '{}': rescanning {}", box.name(), why);
        try {
            scanWholeBox(box);
        } catch (IOException e) {
            log.warn("box '{}': rescan failed: {}; nothing is deleted, and only files new to the box and already read may be sent",
                    box.name(), Problems.describe(e));
        }
    }

    /**
     * Compares the whole box with its index, queueing every difference. Where the index has nothing live (a
     * folder new to flocksy) no new file can be the far side of a rename, so files go to the {@link Indexer}
     * as the walk finds them and are hashed while it goes on.
     */
    void scanWholeBox(Box box) throws IOException {
        Set<String> known = box.knownPaths();
        if (!known.isEmpty()) {
            enqueueDifferences(box, box.scan(), known, true);
            return;
        }
        Indexer.Feed feed = indexer.feed(box);
        Map<String, Stamp> found = box.scan(box.root(), (path, stamp) -> !stamp.directory() && !stamp.link()
                && !queued.contains(new QueuedChange(box, path)) && feed.offer(path, stamp));
        feed.flush();
        enqueueDifferences(box, found, known, true);
    }

    /**
     * The box's ignore rules changed (here or from a peer): paths no longer ignored are found by a rescan;
     * paths now ignored simply stop syncing. A file with a bad line keeps the rules as they were.
     */
    void reloadIgnoreRules(Box box) {
        try {
            box.loadIgnoreRules();
            rescan(box, "with the new " + IgnoreRules.FILE_NAME);
        } catch (IOException e) {
            log.error("box '{}': {}; keeping the ignore rules as they were", box.name(), Problems.describe(e));
        }
    }

    /**
     * Queues every scanned file that differs from what is known, and every known one the scan no longer
     * found. On a scan of the whole box, files the index never had go to the {@link Indexer} first, unless
     * something was deleted: then a new file may be a rename, which the bundle finds only among changes
     * planned together (a folder's scan sees one side of a move, so it never indexes first).
     */
    void enqueueDifferences(Box box, Map<String, Stamp> found, Set<String> knownInScope, boolean wholeBox) {
        Map<String, Stamp> inodes = new HashMap<>();
        boolean indexFirst = wholeBox && knownInScope.stream().allMatch(found::containsKey);
        List<Map.Entry<String, Stamp>> fresh = new ArrayList<>();
        found.forEach((path, stamp) -> {
            Stamp known = box.known(path);
            if (!stamp.equals(known)) {
                // The scan left ignored paths out.
                if (known == null && indexFirst && !stamp.directory() && !stamp.link() && !queued.contains(new QueuedChange(box, path))) {
                    fresh.add(Map.entry(path, stamp));
                } else {
                    enqueue(box, path);
                }
            } else if (known.inode() == 0 && stamp.inode() != 0) {
                inodes.put(path, stamp);
            }
        });
        if (!inodes.isEmpty()) {
            try {
                // An index written before inodes were kept learns them here, without new versions.
                box.batch(() -> {
                    for (Map.Entry<String, Stamp> e : inodes.entrySet()) {
                        BoxIndex.Entry entry = box.entry(e.getKey());
                        box.record(e.getKey(), e.getValue(), entry.hash(), entry.version(), entry.writer());
                    }
                });
            } catch (IOException e) {
                log.warn("box '{}': cannot record inodes in its index: {}", box.name(), Problems.describe(e));
            }
        }
        knownInScope.stream().filter(k -> !found.containsKey(k)).forEach(k -> enqueue(box, k));
        if (!fresh.isEmpty()) {
            indexer.add(box, fresh);
        }
    }

    /** Queues a path to send even if the disk is as the index says (a peer lacks it, a concurrent edit lost there). */
    void resend(Box box, String rel) {
        resend.add(new QueuedChange(box, rel));
        enqueue(box, rel);
    }

    /** Queues a change again as it was queued before (marked to resend or not). */
    void enqueue(QueuedChange change) {
        if (change.resend()) {
            resend(change.box(), change.path());
        } else {
            enqueue(change.box(), change.path());
        }
    }

    void enqueue(Box box, String rel) {
        if (box.ignores(rel)) {
            // Ignored here: neither sent nor, if it was synced before, sent as deleted.
            return;
        }
        queue(new QueuedChange(box, rel));
    }

    private void queue(QueuedChange change) {
        if (queued.add(change)) {
            if (queue.isEmpty()) {
                queuedSinceNanos = clock.monotonicNanos();
            }
            queue.addLast(change);
            work.raise();
        }
    }

    /**
     * Whether the queued changes should wait for paths still settling or files still being hashed, for at most
     * {@link #GATHER_NANOS} and while they fill less than a bundle of {@code records}; the work signal asks
     * again when they may go.
     */
    boolean gathering(int records) {
        if ((settling.isEmpty() && !indexer.busy()) || queue.size() >= records) {
            return false;
        }
        long waited = clock.monotonicNanos() - queuedSinceNanos;
        if (waited >= GATHER_NANOS) {
            return false;
        }
        if (!gatherTimer) {
            gatherTimer = true;
            loop.after(GATHER_NANOS - waited, () -> {
                gatherTimer = false;
                work.raise();
            });
        }
        return true;
    }

    /** The box of the oldest queued change, or {@code null} when nothing waits. */
    Box firstBox() {
        return queue.isEmpty() ? null : queue.peekFirst().box();
    }

    /** Takes the queued changes of {@code box}, in order, up to {@code max}; other boxes keep their place. */
    List<QueuedChange> take(Box box, int max) {
        List<QueuedChange> taken = new ArrayList<>();
        for (Iterator<QueuedChange> it = queue.iterator(); it.hasNext() && taken.size() < max; ) {
            QueuedChange change = it.next();
            if (change.box() == box) {
                it.remove();
                queued.remove(change);
                taken.add(resend.remove(change) ? new QueuedChange(box, change.path(), true) : change);
            }
        }
        return taken;
    }

    /** Puts the paths of a run that did not happen back at the front of the queue, in their order, to send as indexed. */
    void putBack(Box box, List<String> paths) {
        for (int i = paths.size() - 1; i >= 0; i--) {
            QueuedChange change = new QueuedChange(box, paths.get(i));
            resend.add(change);
            if (queued.add(change)) {
                queue.addFirst(change);
            }
        }
    }

    /** Changes of {@code box} waiting to be sent. */
    int queued(Box box) {
        return (int) queue.stream().filter(c -> c.box() == box).count();
    }

    boolean hashing() {
        return indexer.busy();
    }

    /** Whether nothing waits to be sent, and no scanned file is still being hashed into the index. */
    boolean isEmpty() {
        return queue.isEmpty() && !indexer.busy();
    }

    /** Drops everything of a box that is no longer synced. */
    void forget(Box box) {
        queue.removeIf(c -> c.box() == box);
        queued.removeIf(c -> c.box() == box);
        resend.removeIf(c -> c.box() == box);
        settling.keySet().removeIf(c -> c.box() == box);
    }

    /** Stops the indexer's threads; once the event loop has stopped. */
    @Override
    public void close() {
        indexer.close();
    }
}
