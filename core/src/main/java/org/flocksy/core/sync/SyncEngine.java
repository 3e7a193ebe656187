package org.flocksy.core.sync;

import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
import org.flocksy.core.bundle.BundleReader;
import org.flocksy.core.bundle.BundleWriter;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.bundle.MalformedBundleException;
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
    /** Records per run: many small files share a run, a burst does not hold the group for long. */
    static final int BUNDLE_RECORDS_MAX = 10_000;
    /** Bytes per run unless one file alone is larger; the rest of a burst goes in the next run. */
    static final long BUNDLE_BYTES_MAX = 64L * 1024 * 1024;

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
                box.scan().forEach((path, stamp) -> box.remember(path, stamp, null));
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

    /** A change worked out from the disk, not yet written into a bundle. */
    private record Planned(Key key, String wirePath, Change.Kind kind, Stamp stamp, byte[] hash) {
        boolean deletion() {
            return kind == Change.Kind.DELETED;
        }
    }

    /**
     * The next local changes as one run ready to announce: queued changes of the first queued box, up to
     * {@link #BUNDLE_RECORDS_MAX} records and (unless a single file is larger) {@link #BUNDLE_BYTES_MAX}
     * bytes; the rest stays queued for the next run. {@code null} when nothing differs.
     */
    public OutgoingRun nextOutgoing() {
        while (!queue.isEmpty()) {
            Box box = queue.peekFirst().box();
            List<Planned> planned = new ArrayList<>();
            for (Key key : takeQueued(box)) {
                try {
                    Planned p = plan(key);
                    if (p != null) {
                        planned.add(p);
                    }
                } catch (IOException e) {
                    log.warn("box '{}': cannot read {}: {}; will retry on its next change", box.name(), key.path(), Problems.describe(e));
                }
            }
            if (planned.isEmpty()) {
                continue;
            }
            // Parents before children; deletions after, children before their directory.
            planned.sort(Comparator.comparing(Planned::deletion)
                    .thenComparing((a, b) -> a.deletion() ? b.wirePath().compareTo(a.wirePath()) : a.wirePath().compareTo(b.wirePath())));
            try {
                OutgoingRun run = bundle(box, planned);
                if (run != null) {
                    return run;
                }
            } catch (IOException e) {
                log.warn("box '{}': cannot write a bundle into {}: {}; will retry on the next change", box.name(), box.tmpDir(), Problems.describe(e));
                return null;
            }
        }
        return null;
    }

    /** Takes the queued keys of {@code box}, in order, up to the record limit; other boxes keep their place. */
    private List<Key> takeQueued(Box box) {
        List<Key> taken = new ArrayList<>();
        for (java.util.Iterator<Key> it = queue.iterator(); it.hasNext() && taken.size() < BUNDLE_RECORDS_MAX; ) {
            Key key = it.next();
            if (key.box() == box) {
                it.remove();
                queued.remove(key);
                taken.add(key);
            }
        }
        return taken;
    }

    /** What to send for one path, or {@code null} when it is as last synced. */
    private Planned plan(Key key) throws IOException {
        Box box = key.box();
        String rel = key.path();
        String wirePath = PathSafety.canonical(rel);
        if (wirePath.getBytes(StandardCharsets.UTF_8).length > PathSafety.PATH_BYTES_MAX) {
            log.warn("box '{}': not syncing {}: the path is longer than {} bytes", box.name(), rel, PathSafety.PATH_BYTES_MAX);
            return null;
        }
        if (!available(box)) {
            return null;
        }
        Path abs = box.resolve(rel);
        Stamp now = Stamp.read(abs);
        Stamp known = box.known(rel);
        if (now == null) {
            return known == null ? null : new Planned(key, wirePath, Change.Kind.DELETED, null, null);
        }
        if (now.equals(known)) {
            return null;
        }
        if (now.directory()) {
            return new Planned(key, wirePath, Change.Kind.DIRECTORY, now, null);
        }
        byte[] knownHash = box.knownHash(rel);
        if (known != null && !known.directory() && known.size() == now.size() && knownHash != null) {
            // Same size: a touch or chmod leaves the content as it was, and then the content need not travel.
            byte[] hash = blake2b.hash256(abs);
            if (!now.equals(Stamp.read(abs))) {
                touched(box, abs);
                return null;
            }
            if (Arrays.equals(hash, knownHash)) {
                return new Planned(key, wirePath, Change.Kind.ATTRIBUTES, now, hash);
            }
        }
        return new Planned(key, wirePath, Change.Kind.FILE, now, null);
    }

    private OutgoingRun bundle(Box box, List<Planned> planned) throws IOException {
        Files.createDirectories(box.tmpDir());
        Path file = box.tmpDir().resolve("out-" + tempCounter.incrementAndGet() + ".bundle");
        List<OutgoingRun.Sent> sent = new ArrayList<>();
        boolean hasContent;
        try (BundleWriter writer = new BundleWriter(file, blake2b)) {
            for (Planned p : planned) {
                if (!sent.isEmpty() && writer.length() + sizeOf(p) > BUNDLE_BYTES_MAX) {
                    enqueue(p.key().box(), p.key().path());
                    continue;
                }
                Change change = write(writer, p);
                if (change != null) {
                    sent.add(new OutgoingRun.Sent(p.key().path(), change, p.stamp()));
                }
            }
            hasContent = writer.hasContent();
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        if (sent.isEmpty()) {
            Files.deleteIfExists(file);
            return null;
        }
        RunMetadata metadata = new RunMetadata(box.uid(), sent.size(), Files.size(file), blake2b.hash256(file), 0);
        return new OutgoingRun(box, sent, metadata, hasContent, file, readAhead);
    }

    private static long sizeOf(Planned p) {
        return p.kind() == Change.Kind.FILE ? p.stamp().size() : 0;
    }

    /** Appends one planned change; a file that changed since it was planned waits for its next settle. */
    private Change write(BundleWriter writer, Planned p) throws IOException {
        Stamp s = p.stamp();
        return switch (p.kind()) {
            case DELETED -> add(writer, Change.deleted(p.wirePath()));
            case DIRECTORY -> add(writer, Change.directory(p.wirePath(), s.mode()));
            case ATTRIBUTES -> add(writer, new Change(Change.Kind.ATTRIBUTES, p.wirePath(), s.mode(), s.mtimeMs(), 0, p.hash()));
            case FILE -> {
                Path abs = p.key().box().resolve(p.key().path());
                Change c = null;
                try {
                    c = s.equals(Stamp.read(abs)) ? writer.addFile(p.wirePath(), s.mode(), s.mtimeMs(), s.size(), abs) : null;
                } catch (java.nio.file.NoSuchFileException e) {
                    // Deleted since it was planned: its deletion is queued by the watcher.
                }
                if (c == null || !s.equals(Stamp.read(abs))) {
                    touched(p.key().box(), abs);
                    yield null;
                }
                yield c;
            }
        };
    }

    private static Change add(BundleWriter writer, Change change) throws IOException {
        writer.add(change);
        return change;
    }

    /** Puts the changes of a run that did not happen back at the front of the queue, in their order. */
    public void requeue(OutgoingRun run) {
        run.close();
        List<OutgoingRun.Sent> sent = run.sent();
        for (int i = sent.size() - 1; i >= 0; i--) {
            Key key = new Key(run.box(), sent.get(i).diskPath());
            if (queued.add(key)) {
                queue.addFirst(key);
            }
        }
    }

    /** Every receiver has the changes: remember them as in sync. */
    public void completed(OutgoingRun run) {
        for (OutgoingRun.Sent s : run.sent()) {
            Change c = s.change();
            run.box().remember(s.diskPath(), c.kind() == Change.Kind.DELETED ? null : s.stamp(),
                    c.kind() == Change.Kind.DIRECTORY ? null : c.contentHash());
        }
        run.close();
    }

    /** Prepares to receive a run; a run this node cannot apply is received into nothing. */
    public IncomingRun openIncoming(String peer, RunMetadata metadata) {
        Box box = boxes.stream().filter(b -> Arrays.equals(b.uid(), metadata.boxUid())).findFirst().orElse(null);
        String refusal = box == null ? "no box with that name here" : null;
        if (refusal == null && !box.available()) {
            refusal = "the box's folder " + box.root() + " is gone";
        }
        if (refusal == null) {
            try {
                Files.createDirectories(box.tmpDir());
            } catch (IOException e) {
                refusal = "cannot create " + box.tmpDir() + ": " + Problems.describe(e);
            }
        }
        if (refusal != null) {
            log.warn("refusing a run of {} change(s) from {}: {}", metadata.records(), peer, refusal);
            return new IncomingRun(peer, box, metadata, refusal, null);
        }
        Path temp = box.tmpDir().resolve("in-" + tempCounter.incrementAndGet() + ".bundle");
        return new IncomingRun(peer, box, metadata, null, temp);
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
     * Verifies a complete run's bundle and applies its changes in order, each on its own: a file goes to
     * a temp file, is checked against its hash, fsynced, given its mode and mtime and renamed into place.
     * A change this node refuses (unsafe path, a directory where a file should go) is logged and skipped.
     *
     * @return false if the bundle did not verify and the run must be received again
     */
    public boolean apply(IncomingRun run) {
        if (run.refusal() != null) {
            return true;
        }
        Box box = run.box();
        RunMetadata m = run.metadata();
        try {
            run.sync();
            if (Files.size(run.temp()) != m.length() || !Arrays.equals(blake2b.hash256(run.temp()), m.bundleHash())) {
                log.warn("box '{}': the bundle from {} failed verification; receiving it again", box.name(), run.peer());
                run.restart();
                return false;
            }
        } catch (IOException e) {
            log.error("box '{}': cannot read the bundle from {}: {}; the box is unchanged", box.name(), run.peer(), Problems.describe(e));
            run.discard();
            return true;
        }
        int applied = 0;
        try (BundleReader reader = new BundleReader(run.temp(), m.records())) {
            for (BundleReader.Entry e; (e = reader.next()) != null; applied++) {
                applyChange(box, run.peer(), reader, e);
            }
        } catch (MalformedBundleException e) {
            log.error("box '{}': the bundle from {} is malformed after {} change(s): {}; the rest is not applied",
                    box.name(), run.peer(), applied, e.getMessage());
        } catch (IOException e) {
            log.error("box '{}': cannot read the bundle from {}: {}; {} change(s) applied, the rest not",
                    box.name(), run.peer(), Problems.describe(e), applied);
        } finally {
            run.discard();
        }
        return true;
    }

    private void applyChange(Box box, String peer, BundleReader reader, BundleReader.Entry entry) {
        Change c = entry.change();
        String path = c.path();
        String refusal = PathSafety.problem(path);
        if (refusal == null && !PathSafety.canonical(path).equals(path)) {
            refusal = "path not in NFC form";
        }
        if (refusal == null) {
            refusal = escapes(box, path);
        }
        if (refusal != null) {
            log.warn("box '{}': refusing {} of '{}' from {}: {}", box.name(), c.kind(), printable(path), peer, refusal);
            return;
        }
        Path target = box.resolve(path);
        try {
            switch (c.kind()) {
                case FILE -> receiveFile(box, peer, reader, entry, target);
                case DIRECTORY -> {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        log.warn("box '{}': not replacing {} with a directory from {}", box.name(), path, peer);
                        return;
                    }
                    createParents(box, target);
                    if (Files.notExists(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectory(target);
                        log.info("box '{}': created directory {} (from {})", box.name(), path, peer);
                    }
                    Modes.write(target, c.mode());
                    box.remember(path, Stamp.read(target), null);
                }
                case DELETED -> {
                    if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(target);
                        log.info("box '{}': deleted {} (from {})", box.name(), path, peer);
                    } else if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            Files.delete(target);
                            log.info("box '{}': deleted directory {} (from {})", box.name(), path, peer);
                        } catch (java.nio.file.DirectoryNotEmptyException e) {
                            log.warn("box '{}': keeping directory {} deleted by {}: it holds files {} did not know", box.name(), path, peer, peer);
                            return;
                        }
                    }
                    box.remember(path, null, null);
                }
                case ATTRIBUTES -> {
                    Stamp local = Stamp.read(target);
                    if (local == null || local.directory() || local.size() != 0 && !Arrays.equals(hashOf(box, path, local), c.contentHash())
                            || local.size() == 0 && !Arrays.equals(blake2b.hash256(new byte[0]), c.contentHash())) {
                        log.info("box '{}': not applying new attributes of {} from {}: the content here differs", box.name(), path, peer);
                        return;
                    }
                    Modes.write(target, c.mode());
                    Files.setLastModifiedTime(target, FileTime.fromMillis(c.mtimeMs()));
                    box.remember(path, Stamp.read(target), c.contentHash());
                    log.info("box '{}': new attributes of {} (from {})", box.name(), path, peer);
                }
            }
        } catch (IOException e) {
            log.error("box '{}': cannot apply {} of {} from {}: {}; that entry is unchanged", box.name(), c.kind(), path, peer, Problems.describe(e));
        }
    }

    /** The content hash of a local file: the one remembered if the file is as last synced, else read. */
    private byte[] hashOf(Box box, String path, Stamp local) throws IOException {
        byte[] known = box.knownHash(path);
        return known != null && local.equals(box.known(path)) ? known : blake2b.hash256(box.resolve(path));
    }

    private void receiveFile(Box box, String peer, BundleReader reader, BundleReader.Entry entry, Path target) throws IOException {
        Change c = entry.change();
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            log.warn("box '{}': not replacing directory {} with a file from {}", box.name(), c.path(), peer);
            return;
        }
        Path temp = box.tmpDir().resolve("in-" + tempCounter.incrementAndGet() + ".part");
        try {
            byte[] hash;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                hash = reader.copyContent(entry, out, blake2b);
                out.force(true);
            }
            if (!Arrays.equals(hash, c.contentHash())) {
                log.warn("box '{}': {} from {} does not match its hash; not applied", box.name(), c.path(), peer);
                return;
            }
            Modes.write(temp, c.mode());
            Files.setLastModifiedTime(temp, FileTime.fromMillis(c.mtimeMs()));
            createParents(box, target);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // A copy across file systems would show a growing file: refuse instead.
                log.error("box '{}': cannot place {} atomically (another file system is mounted inside the box); the box is unchanged",
                        box.name(), c.path());
                return;
            }
            box.remember(c.path(), Stamp.read(target), hash);
            log.info("box '{}': received {} ({} bytes) from {}", box.name(), c.path(), c.size(), peer);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Creates missing parent directories and remembers them, so that they are not announced back (echo). */
    private static void createParents(Box box, Path target) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = target.getParent(); p != null && !p.equals(box.root()) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            box.remember(box.relative(p), Stamp.read(p), null);
        }
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
