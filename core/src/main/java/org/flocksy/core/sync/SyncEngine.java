package org.flocksy.core.sync;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.FileWatcher;
import org.flocksy.api.WatchHandle;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Problems;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the boxes, keeps the queue of local changes, prepares outgoing runs and applies incoming ones.
 * Confined to the kernel's event loop; watchers post into it.
 */
public final class SyncEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    /** A path is evaluated once no event arrived for it this long: a file being written settles first. */
    static final long SETTLE_NANOS = 300_000_000L;
    private static final int COPY_BUFFER_BYTES = 64 * 1024;

    private record Key(Box box, String path) {}

    private final List<Box> boxes;
    private final PluginCatalog plugins;
    private final Blake2b blake2b;
    private final Loop loop;
    private final Clock clock;
    private final String nodeName;
    private final Map<Key, Long> pending = new HashMap<>();
    private final Deque<Key> queue = new ArrayDeque<>();
    private final Set<Key> queued = new HashSet<>();
    private final List<WatchHandle> watches = new ArrayList<>();
    private final Set<Box> paused = new HashSet<>();
    private final AtomicLong tempCounter = new AtomicLong();
    private final ReadAhead readAhead;
    private Runnable onWork = () -> {};

    @Inject
    public SyncEngine(List<Box> boxes, PluginCatalog plugins, Blake2b blake2b, Loop loop, Clock clock,
                      Settings settings, ReadAhead readAhead) {
        this.readAhead = readAhead;
        this.boxes = List.copyOf(boxes);
        this.plugins = plugins;
        this.blake2b = blake2b;
        this.loop = loop;
        this.clock = clock;
        this.nodeName = settings.nodeName();
    }

    public List<Box> boxes() {
        return boxes;
    }

    /**
     * Records what each box holds now and starts watching. Files present at start are taken as in sync:
     * catching up with changes made while offline is the index's work, not this engine's.
     */
    public void start(Runnable onWork) throws IOException {
        this.onWork = onWork;
        for (Box box : boxes) {
            try {
                Files.createDirectories(box.tmpDir());
                sweep(box.tmpDir());
                box.scan().forEach(box::remember);
            } catch (IOException e) {
                String where = e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null ? fs.getFile() : box.root().toString();
                throw new IOException("box '" + box.name() + "': cannot use " + where + ": " + Problems.describe(e), e);
            }
            watches.add(watch(box));
        }
    }

    private WatchHandle watch(Box box) throws IOException {
        ChangeListener listener = new ChangeListener() {
            @Override
            public void onChange(ChangeEvent event) {
                loop.post(() -> touched(box, event.path()));
            }

            @Override
            public void onOverflow() {
                loop.post(() -> rescan(box));
            }
        };
        IOException last = null;
        for (FileWatcher watcher : plugins.watchers()) {
            try {
                if (watcher.isSupported()) {
                    WatchHandle handle = watcher.watch(box.root(), listener);
                    log.info("box '{}' at {}: watching with {}", box.name(), box.root(), watcher.id());
                    return handle;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("box '{}': watcher {} failed to start ({}), trying the next", box.name(), watcher.id(), e.toString());
                last = e instanceof IOException io ? io : new IOException(e);
            }
        }
        throw new IOException("box '" + box.name() + "': no file watcher could start", last);
    }

    private static void sweep(Path tmp) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(tmp)) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void touched(Box box, Path absolute) {
        String rel = box.relative(absolute);
        if (rel == null) {
            return;
        }
        pending.put(new Key(box, rel), clock.monotonicNanos());
        loop.after(SETTLE_NANOS, this::settle);
    }

    private void settle() {
        long now = clock.monotonicNanos();
        List<Key> ready = new ArrayList<>();
        pending.forEach((key, last) -> {
            if (now - last >= SETTLE_NANOS) {
                ready.add(key);
            }
        });
        ready.forEach(pending::remove);
        ready.forEach(k -> evaluate(k.box(), k.path()));
    }

    /** Compares one path (a file, or a directory and all below it) with what is known, queueing differences. */
    void evaluate(Box box, String rel) {
        if (!available(box)) {
            return;
        }
        Path abs = box.resolve(rel);
        try {
            if (Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
                enqueueDifferences(box, box.scan(abs), box.knownUnder(rel));
                return;
            }
            Stamp stamp = Stamp.read(abs);
            if (stamp == null) {
                for (String k : box.knownUnder(rel)) {
                    if (Stamp.read(box.resolve(k)) == null) {
                        enqueue(box, k);
                    }
                }
            } else if (!stamp.equals(box.known(rel))) {
                enqueue(box, rel);
            }
        } catch (IOException e) {
            log.warn("box '{}': cannot read {}: {}; not syncing it until it can be read", box.name(), rel, Problems.describe(e));
        }
    }

    private void rescan(Box box) {
        if (!available(box)) {
            return;
        }
        log.info("box '{}': rescanning after lost watch events", box.name());
        try {
            enqueueDifferences(box, box.scan(), box.knownPaths());
        } catch (IOException e) {
            log.warn("box '{}': rescan failed, nothing sent: {}", box.name(), Problems.describe(e));
        }
    }

    /** Queues every scanned file that differs from what is known, and every known one the scan no longer found. */
    private void enqueueDifferences(Box box, Map<String, Stamp> found, Set<String> knownInScope) {
        found.forEach((path, stamp) -> {
            if (!stamp.equals(box.known(path))) {
                enqueue(box, path);
            }
        });
        knownInScope.stream().filter(k -> !found.containsKey(k)).forEach(k -> enqueue(box, k));
    }

    /** A box whose folder vanished (unmounted disk, removed folder) is paused: logged once, never read. */
    private boolean available(Box box) {
        boolean available = box.available();
        if (!available && paused.add(box)) {
            log.warn("box '{}': {} is gone (unmounted?); pausing the box, nothing is deleted on other nodes", box.name(), box.root());
        } else if (available && paused.remove(box)) {
            log.info("box '{}': {} is back; resuming", box.name(), box.root());
            rescan(box);
        }
        return available;
    }

    private void enqueue(Box box, String rel) {
        Key key = new Key(box, rel);
        if (queued.add(key)) {
            queue.addLast(key);
            onWork.run();
        }
    }

    public boolean hasWork() {
        return !queue.isEmpty();
    }

    /** The next local change as a run ready to announce, or {@code null} when nothing differs. */
    public OutgoingRun nextOutgoing() {
        while (!queue.isEmpty()) {
            Key key = queue.pollFirst();
            queued.remove(key);
            try {
                OutgoingRun run = prepare(key.box(), key.path());
                if (run != null) {
                    return run;
                }
            } catch (IOException e) {
                log.warn("box '{}': cannot read {}: {}; will retry on its next change", key.box().name(), key.path(), Problems.describe(e));
            }
        }
        return null;
    }

    private OutgoingRun prepare(Box box, String rel) throws IOException {
        String wirePath = PathSafety.canonical(rel);
        if (wirePath.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > PathSafety.PATH_BYTES_MAX) {
            log.warn("box '{}': not syncing {}: the path is longer than {} bytes", box.name(), rel, PathSafety.PATH_BYTES_MAX);
            return null;
        }
        if (!available(box)) {
            return null;
        }
        Path abs = box.resolve(rel);
        Stamp before = Stamp.read(abs);
        Stamp known = box.known(rel);
        if (before == null) {
            if (known == null) {
                return null;
            }
            RunMetadata deletion = new RunMetadata(box.uid(), wirePath, 0, RunMetadata.EntryType.DELETED, 0, 0,
                    blake2b.hash256(new byte[0]), 0);
            return new OutgoingRun(box, rel, deletion, null, null, readAhead);
        }
        if (before.equals(known)) {
            return null;
        }
        Files.createDirectories(box.tmpDir());
        Path snapshot = box.tmpDir().resolve("out-" + tempCounter.incrementAndGet() + ".snap");
        byte[] hash;
        Blake2b.Hasher hasher = blake2b.newHasher();
        try (InputStream in = Files.newInputStream(abs); OutputStream out = Files.newOutputStream(snapshot)) {
            byte[] buffer = new byte[COPY_BUFFER_BYTES];
            for (int n; (n = in.read(buffer)) > 0; ) {
                hasher.update(buffer, n);
                out.write(buffer, 0, n);
            }
            hash = hasher.finish();
        } catch (IOException e) {
            Files.deleteIfExists(snapshot);
            throw e;
        }
        Stamp after = Stamp.read(abs);
        if (!before.equals(after) || Files.size(snapshot) != before.size()) {
            // Still being written: wait until it settles.
            Files.deleteIfExists(snapshot);
            touched(box, abs);
            return null;
        }
        RunMetadata metadata = new RunMetadata(box.uid(), wirePath, Modes.read(abs), RunMetadata.EntryType.REGULAR,
                before.mtimeMs(), before.size(), hash, 0);
        return new OutgoingRun(box, rel, metadata, before, snapshot, readAhead);
    }

    /** Puts a run that did not happen back at the front of the queue. */
    public void requeue(OutgoingRun run) {
        run.close();
        Key key = new Key(run.box(), run.path());
        if (queued.add(key)) {
            queue.addFirst(key);
        }
    }

    /** Every receiver has the change: remember it as in sync. */
    public void completed(OutgoingRun run) {
        run.box().remember(run.path(), run.stamp());
        run.close();
    }

    /** Prepares to receive a run; a run this node must not apply is received into nothing. */
    public IncomingRun openIncoming(String peer, RunMetadata metadata) {
        Box box = boxes.stream().filter(b -> Arrays.equals(b.uid(), metadata.boxUid())).findFirst().orElse(null);
        String path = metadata.path();
        String refusal = box == null ? "no box with that name here" : PathSafety.problem(path);
        if (refusal == null && !PathSafety.canonical(path).equals(path)) {
            refusal = "path not in NFC form";
        }
        if (refusal == null && !box.available()) {
            refusal = "the box's folder " + box.root() + " is gone";
        }
        if (refusal == null) {
            refusal = escapes(box, path);
        }
        if (refusal == null) {
            try {
                Files.createDirectories(box.tmpDir());
            } catch (IOException e) {
                refusal = "cannot create " + box.tmpDir() + ": " + Problems.describe(e);
            }
        }
        if (refusal != null) {
            log.warn("refusing {} of '{}' from {}: {}", metadata.type(), printable(path), peer, refusal);
            return new IncomingRun(peer, box, path, metadata, refusal, null);
        }
        Path temp = box.tmpDir().resolve("in-" + tempCounter.incrementAndGet() + ".part");
        return new IncomingRun(peer, box, path, metadata, null, temp);
    }

    /** A parent that is a link leading out of the box would let a peer write anywhere. */
    private static String escapes(Box box, String rel) {
        Path parent = box.resolve(rel).getParent();
        while (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
            parent = parent.getParent();
        }
        try {
            if (parent == null || !parent.toRealPath().startsWith(box.root().toRealPath())) {
                return "path leads out of the box through a link";
            }
        } catch (IOException e) {
            return "cannot check the path: " + Problems.describe(e);
        }
        return null;
    }

    /**
     * Verifies and applies a complete run: hash checked, fsync, mode and mtime set, renamed into place.
     *
     * @return false if the content did not verify and the run must be received again
     */
    public boolean apply(IncomingRun run) {
        if (run.refusal() != null) {
            return true;
        }
        Box box = run.box();
        RunMetadata m = run.metadata();
        Path target = box.resolve(run.path());
        try {
            if (m.type() == RunMetadata.EntryType.DELETED) {
                if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(target);
                    log.info("box '{}': deleted {} (from {})", box.name(), run.path(), run.peer());
                }
                box.remember(run.path(), null);
                run.discard();
                return true;
            }
            run.sync();
            if (Files.size(run.temp()) != m.size() || !Arrays.equals(blake2b.hash256(run.temp()), m.contentHash())) {
                log.warn("box '{}': {} from {} failed verification; receiving it again", box.name(), run.path(), run.peer());
                run.restart();
                return false;
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                log.warn("box '{}': not replacing directory {} with a file from {}", box.name(), run.path(), run.peer());
                run.discard();
                return true;
            }
            Modes.write(run.temp(), m.mode());
            Files.setLastModifiedTime(run.temp(), FileTime.fromMillis(m.mtimeMs()));
            Files.createDirectories(target.getParent());
            try {
                Files.move(run.temp(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // A copy across file systems would show a growing file: refuse instead.
                log.error("box '{}': cannot place {} atomically (another file system is mounted inside the box); the box is unchanged",
                        box.name(), run.path());
                run.discard();
                return true;
            }
            box.remember(run.path(), Stamp.read(target));
            log.info("box '{}': received {} ({} bytes) from {}", box.name(), run.path(), m.size(), run.peer());
        } catch (IOException e) {
            log.error("box '{}': cannot write {}: {}; the box is unchanged", box.name(), run.path(), Problems.describe(e));
            run.discard();
        }
        return true;
    }

    private static String printable(String path) {
        return path.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public void close() {
        watches.forEach(WatchHandle::close);
        watches.clear();
    }
}
