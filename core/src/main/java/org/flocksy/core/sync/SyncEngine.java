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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.HexFormat;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.Conflict;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.Decision;
import org.flocksy.api.FileVersion;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.FileWatcher;
import org.flocksy.api.WatchHandle;
import org.flocksy.core.bundle.BundleReader;
import org.flocksy.core.bundle.BundleWriter;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.bundle.Digest;
import org.flocksy.core.bundle.MalformedBundleException;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Problems;
import org.flocksy.core.config.Settings;
import org.flocksy.core.backup.Versions;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.plugin.PluginCatalog;
import org.flocksy.core.version.VersionVector;
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
    static final int BUNDLE_RECORDS_MAX = 2_000;
    /** Bytes per run unless one file alone is larger; the rest of a burst goes in the next run. */
    static final long BUNDLE_BYTES_MAX = 8L * 1024 * 1024;
    /** How long a box waits before writing a bundle again after its temp folder failed. */
    static final long RETRY_NANOS = 5_000_000_000L;
    /** Joins within this long of each other cost one digest per box, not one each. */
    static final long DIGEST_SETTLE_NANOS = 2_000_000_000L;

    /** A queued path; {@code resend} sends what the index has even when the disk did not change. */
    private record Key(Box box, String path, boolean resend) {
        Key(Box box, String path) {
            this(box, path, false);
        }

        Key plain() {
            return resend ? new Key(box, path) : this;
        }
    }

    private final List<Box> boxes;
    private final PluginCatalog plugins;
    private final Blake2b blake2b;
    private final Loop loop;
    private final Clock clock;
    private final String nodeName;
    private final Map<Key, Long> pending = new HashMap<>();
    private final Deque<Key> queue = new ArrayDeque<>();
    private final Set<Key> queued = new HashSet<>();
    /** Queued paths to send as the index has them even if the disk did not change (a run that failed). */
    private final Set<Key> resend = new HashSet<>();
    /** Boxes whose digest goes out once the local changes are sent: a peer joined. */
    private final Set<Box> digestWanted = new java.util.LinkedHashSet<>();
    private long joinGeneration;
    private final List<WatchHandle> watches = new ArrayList<>();
    private final Set<Box> paused = new HashSet<>();
    private final AtomicLong tempCounter = new AtomicLong();
    private final ReadAhead readAhead;
    private final NodeUid self;
    private final Settings settings;
    private final Map<Box, ConflictResolver> resolvers = new HashMap<>();
    private Runnable onWork = () -> {};

    @Inject
    public SyncEngine(List<Box> boxes, PluginCatalog plugins, Blake2b blake2b, Loop loop, Clock clock,
                      Settings settings, ReadAhead readAhead, NodeUid self) {
        this.readAhead = readAhead;
        this.self = self;
        this.settings = settings;
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
     * Opens each box's index, queues whatever differs between it and the disk (changes made while this
     * node was not running, or everything in a folder new to flocksy) and starts watching.
     */
    public void start(Runnable onWork) throws IOException {
        this.onWork = onWork;
        for (Box box : boxes) {
            chooseResolver(box);
            chooseBackup(box);
            try {
                Files.createDirectories(box.tmpDir());
                sweep(box.tmpDir());
                box.open();
                enqueueDifferences(box, box.scan(), box.knownPaths());
            } catch (IOException e) {
                String where = e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null ? fs.getFile() : box.root().toString();
                throw new IOException("box '" + box.name() + "': cannot use " + where + ": " + Problems.describe(e), e);
            }
            watches.add(watch(box));
        }
    }

    /**
     * The box's conflict resolver, as the config names it. Without a plugin for the default, the kernel's own
     * rule (keep both, the later edit wins) applies; a resolver the config names must exist.
     */
    private void chooseResolver(Box box) throws IOException {
        String id = settings.resolverOf(box.name());
        ConflictResolver resolver = plugins.resolver(id).orElse(null);
        if (resolver == null && settings.resolvers().containsKey(box.name())) {
            throw new IOException(settings.resolvers().get(box.name()).origin() + ": box '" + box.name() + "': no conflict resolver '"
                    + id + "' among the plugins (found: "
                    + String.join(", ", plugins.resolvers().stream().map(ConflictResolver::id).toList()) + ")");
        }
        if (resolver != null) {
            resolvers.put(box, resolver);
            log.info("box '{}': conflicts resolved by {}", box.name(), id);
        }
    }

    /**
     * The box's backup strategy, as the config names it ({@code ID[:PARAMETER]}, {@code none} to keep
     * nothing). Without a plugin for the default, replaced files are not kept (and the log says so).
     */
    private void chooseBackup(Box box) throws IOException {
        String chosen = settings.backupOf(box.name());
        int colon = chosen.indexOf(':');
        String id = colon < 0 ? chosen : chosen.substring(0, colon);
        String parameter = colon < 0 ? null : chosen.substring(colon + 1);
        BackupStrategy strategy = id.equals("none") ? null : plugins.backup(id).orElse(null);
        String origin = settings.backups().containsKey(box.name()) ? settings.backups().get(box.name()).origin() + ": " : "";
        if (strategy == null && !id.equals("none")) {
            if (!origin.isEmpty()) {
                throw new IOException(origin + "box '" + box.name() + "': no backup strategy '" + id + "' among the plugins (found: "
                        + String.join(", ", plugins.backups().stream().map(BackupStrategy::id).toList()) + ")");
            }
            log.warn("box '{}': no backup strategy plugin '{}': replaced and deleted files are not kept", box.name(), id);
        }
        if (strategy != null) {
            String problem = strategy.check(parameter);
            if (problem != null) {
                throw new IOException(origin + "box '" + box.name() + "': backup " + chosen + ": " + problem);
            }
            log.info("box '{}': replaced and deleted files kept by {}", box.name(), chosen);
        }
        box.versions(new Versions(box.name(), box.root(), box.versionsDir(), strategy, parameter,
                () -> java.time.Instant.ofEpochMilli(clock.wallMillis())));
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

    private void enqueue(Box box, String rel, boolean resendAnyway) {
        if (resendAnyway) {
            resend.add(new Key(box, rel));
        }
        enqueue(box, rel);
    }

    private void enqueue(Box box, String rel) {
        Key key = new Key(box, rel);
        if (queued.add(key)) {
            queue.addLast(key);
            onWork.run();
        }
    }

    public boolean hasWork() {
        return !queue.isEmpty() || !digestWanted.isEmpty();
    }

    /**
     * Peers joined: once joining has settled, every box's digest goes out in an ordinary run, so that a
     * peer that was away learns what it missed (and an observer sees the same whether anyone was behind).
     */
    public void peersJoined() {
        long generation = ++joinGeneration;
        loop.after(DIGEST_SETTLE_NANOS, () -> {
            if (generation == joinGeneration) {
                boxes.stream().filter(Box::available).forEach(digestWanted::add);
                onWork.run();
            }
        });
    }

    /** A change worked out from the disk and the index, not yet written into a bundle. */
    private record Planned(Key key, String wirePath, Change.Kind kind, Stamp stamp, byte[] hash, VersionVector version,
                           NodeUid writer, boolean changed) {
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
        OutgoingRun run = nextChanges();
        while (run == null && !digestWanted.isEmpty()) {
            Box box = digestWanted.iterator().next();
            digestWanted.remove(box);
            try {
                run = digest(box);
            } catch (IOException e) {
                log.warn("box '{}': cannot write its digest into {}: {}", box.name(), box.tmpDir(), Problems.describe(e));
            }
        }
        return run;
    }

    private OutgoingRun digest(Box box) throws IOException {
        if (!available(box)) {
            return null;
        }
        List<Digest.Item> items = box.entries().stream()
                .map(e -> new Digest.Item(PathSafety.canonical(e.path()), e.deleted(), e.version()))
                .filter(i -> i.path().getBytes(StandardCharsets.UTF_8).length <= PathSafety.PATH_BYTES_MAX).toList();
        Files.createDirectories(box.tmpDir());
        Path file = box.tmpDir().resolve("out-" + tempCounter.incrementAndGet() + ".bundle");
        Change change;
        byte[] content = new Digest(items).encode();
        if (content.length > BUNDLE_BYTES_MAX) {
            log.warn("box '{}': its digest ({} entries, {} bytes) is larger than a run carries; peers that were away "
                    + "catch up only on new changes", box.name(), items.size(), content.length);
            return null;
        }
        try (BundleWriter writer = new BundleWriter(file, blake2b)) {
            writer.addDigest(content, self);
            change = new Change(Change.Kind.DIGEST, ".", 0, 0, content.length, blake2b.hash256(content), VersionVector.EMPTY, self);
        }
        RunMetadata metadata = new RunMetadata(box.uid(), 1, Files.size(file), blake2b.hash256(file), 0);
        return new OutgoingRun(box, List.of(new OutgoingRun.Sent(".", change, null)), metadata, true, file, readAhead);
    }

    private OutgoingRun nextChanges() {
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
            // Deletions first, children before their directory (a path may become a file or directory
            // again in the same bundle); then the rest, parents before children.
            planned.sort(Comparator.comparing((Planned p) -> !p.deletion())
                    .thenComparing((a, b) -> a.deletion() ? b.wirePath().compareTo(a.wirePath()) : a.wirePath().compareTo(b.wirePath())));
            try {
                OutgoingRun run = bundle(box, planned);
                if (run != null) {
                    return run;
                }
            } catch (IOException e) {
                log.warn("box '{}': cannot write a bundle into {}: {}; trying again in {} s", box.name(), box.tmpDir(),
                        Problems.describe(e), RETRY_NANOS / 1_000_000_000L);
                // Versions already recorded must still go out: send what the index has, after a pause.
                loop.after(RETRY_NANOS, () -> planned.forEach(p -> enqueue(box, p.key().path(), true)));
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
                if (resend.remove(key)) {
                    taken.set(taken.size() - 1, new Key(key.box(), key.path(), true));
                }
            }
        }
        return taken;
    }

    /**
     * What to send for one path, or {@code null} when the disk is as the index says and nothing asks to
     * send it again. A local change gets a new version: the index's vector bumped by this node.
     */
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
        BoxIndex.Entry entry = box.entry(rel);
        VersionVector base = entry == null ? VersionVector.EMPTY : entry.version();
        if (now == null) {
            if (known != null) {
                return new Planned(key, wirePath, Change.Kind.DELETED, null, null, base.bump(box.replica()), self, true);
            }
            return key.resend() && entry != null
                    ? new Planned(key, wirePath, Change.Kind.DELETED, null, null, base, entry.writer(), false) : null;
        }
        if (now.equals(known)) {
            if (!key.resend()) {
                return null;
            }
            Change.Kind kind = now.directory() ? Change.Kind.DIRECTORY : Change.Kind.FILE;
            return new Planned(key, wirePath, kind, now, entry.hash(), base, entry.writer(), false);
        }
        if (now.directory()) {
            return new Planned(key, wirePath, Change.Kind.DIRECTORY, now, null, base.bump(box.replica()), self, true);
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
                return new Planned(key, wirePath, Change.Kind.ATTRIBUTES, now, hash, base.bump(box.replica()), self, true);
            }
        }
        return new Planned(key, wirePath, Change.Kind.FILE, now, null, base.bump(box.replica()), self, true);
    }

    private OutgoingRun bundle(Box box, List<Planned> planned) throws IOException {
        Files.createDirectories(box.tmpDir());
        Path file = box.tmpDir().resolve("out-" + tempCounter.incrementAndGet() + ".bundle");
        List<OutgoingRun.Sent> sent = new ArrayList<>();
        boolean[] hasContent = {false};
        try (BundleWriter writer = new BundleWriter(file, blake2b)) {
            // The new versions of a whole bundle are one index transaction, not one fsync each.
            box.batch(() -> writeAll(box, planned, writer, sent));
            hasContent[0] = writer.hasContent();
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        if (sent.isEmpty()) {
            Files.deleteIfExists(file);
            return null;
        }
        RunMetadata metadata = new RunMetadata(box.uid(), sent.size(), Files.size(file), blake2b.hash256(file), 0);
        return new OutgoingRun(box, sent, metadata, hasContent[0], file, readAhead);
    }

    private void writeAll(Box box, List<Planned> planned, BundleWriter writer, List<OutgoingRun.Sent> sent) throws IOException {
        for (Planned p : planned) {
            if (!sent.isEmpty() && writer.length() + sizeOf(p) > BUNDLE_BYTES_MAX) {
                if (p.key().resend()) {
                    resend.add(p.key().plain());
                }
                enqueue(p.key().box(), p.key().path());
                continue;
            }
            Change change;
            try {
                change = write(writer, p);
            } catch (IOException e) {
                // One unreadable file must not hold back the others.
                log.warn("box '{}': cannot read {}: {}; will retry on its next change", box.name(), p.key().path(), Problems.describe(e));
                continue;
            }
            if (change != null) {
                sent.add(new OutgoingRun.Sent(p.key().path(), change, p.stamp()));
                if (p.changed()) {
                    remember(box, p.key().path(), change, p.stamp());
                }
            }
        }
    }

    private static long sizeOf(Planned p) {
        return p.kind() == Change.Kind.FILE ? p.stamp().size() : 0;
    }

    /** Appends one planned change; a file that changed since it was planned waits for its next settle. */
    private Change write(BundleWriter writer, Planned p) throws IOException {
        Stamp s = p.stamp();
        String path = p.wirePath();
        return switch (p.kind()) {
            case DELETED -> add(writer, Change.deleted(path, p.version(), p.writer()));
            case DIRECTORY -> add(writer, Change.directory(path, s.mode(), p.version(), p.writer()));
            case ATTRIBUTES -> add(writer, new Change(Change.Kind.ATTRIBUTES, path, s.mode(), s.mtimeMs(), 0, p.hash(),
                    p.version(), p.writer()));
            case FILE -> {
                Path abs = p.key().box().resolve(p.key().path());
                Change c = null;
                try {
                    c = s.equals(Stamp.read(abs))
                            ? writer.addFile(path, s.mode(), s.mtimeMs(), s.size(), abs, p.version(), p.writer()) : null;
                } catch (java.nio.file.NoSuchFileException e) {
                    // Deleted since it was planned: its deletion is queued by the watcher.
                }
                if (c == null || !s.equals(Stamp.read(abs))) {
                    touched(p.key().box(), abs);
                    yield null;
                }
                yield c;
            }
            case DIGEST -> throw new IllegalStateException("digests are not planned changes");
        };
    }

    private static Change add(BundleWriter writer, Change change) throws IOException {
        writer.add(change);
        return change;
    }

    /** Records a change in the box's index as the version this node has now. */
    private static void remember(Box box, String diskPath, Change c, Stamp stamp) throws IOException {
        if (c.kind() == Change.Kind.DELETED) {
            box.recordDeleted(diskPath, c.version(), c.writer());
        } else {
            box.record(diskPath, stamp, c.kind() == Change.Kind.DIRECTORY ? null : c.contentHash(), c.version(), c.writer());
        }
    }

    /** Puts the changes of a run that did not happen back at the front of the queue, in their order. */
    public void requeue(OutgoingRun run) {
        run.close();
        List<OutgoingRun.Sent> sent = run.sent();
        if (sent.get(0).change().kind() == Change.Kind.DIGEST) {
            digestWanted.add(run.box());
            return;
        }
        for (int i = sent.size() - 1; i >= 0; i--) {
            Key key = new Key(run.box(), sent.get(i).diskPath());
            resend.add(key);
            if (queued.add(key)) {
                queue.addFirst(key);
            }
        }
    }

    /** Every receiver has the changes (the index recorded them when the bundle was written). */
    public void completed(OutgoingRun run) {
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
        try {
            // One transaction for the whole bundle: ten thousand small files cost one commit.
            box.batch(() -> applyAll(box, run));
        } catch (IOException e) {
            log.error("box '{}': cannot record the run from {} in the index: {}; the next start finds the difference",
                    box.name(), run.peer(), Problems.describe(e));
        } finally {
            run.discard();
        }
        return true;
    }

    /** Applies every record in order; what was applied before a malformed record stays applied and recorded. */
    private void applyAll(Box box, IncomingRun run) {
        int applied = 0;
        try (BundleReader reader = new BundleReader(run.temp(), run.metadata().records())) {
            for (BundleReader.Entry e; (e = reader.next()) != null; applied++) {
                applyChange(box, run.peer(), reader, e);
            }
        } catch (MalformedBundleException e) {
            log.error("box '{}': the bundle from {} is malformed after {} change(s): {}; the rest is not applied",
                    box.name(), run.peer(), applied, e.getMessage());
        } catch (IOException e) {
            log.error("box '{}': cannot read the bundle from {}: {}; {} change(s) applied, the rest not",
                    box.name(), run.peer(), Problems.describe(e), applied);
        }
    }

    private void applyChange(Box box, String peer, BundleReader reader, BundleReader.Entry entry)
            throws IOException, MalformedBundleException {
        Change c = entry.change();
        if (c.kind() == Change.Kind.DIGEST) {
            compareDigest(box, peer, reader, entry);
            return;
        }
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
            Stamp disk = Stamp.read(target);
            BoxIndex.Entry local = box.entry(path);
            VersionVector mine = local == null ? VersionVector.EMPTY : local.version();
            boolean unannounced = !Objects.equals(disk, box.known(path));
            if (unannounced) {
                // An edit here the sender cannot have seen yet: a version of its own.
                mine = mine.bump(box.replica());
            }
            switch (c.version().compareTo(mine)) {
                case OLDER, EQUAL -> log.debug("box '{}': {} from {} is not newer than ours", box.name(), c, peer);
                case NEWER -> applyNewer(box, peer, reader, entry, target);
                case CONCURRENT -> resolve(box, peer, reader, entry, target, disk, local, unannounced);
            }
        } catch (IOException e) {
            log.error("box '{}': cannot apply {} of {} from {}: {}; that entry is unchanged", box.name(), c.kind(), path, peer, Problems.describe(e));
        }
    }

    /** Queues whatever this node has that the digest's sender lacks or has only in an older version. */
    private void compareDigest(Box box, String peer, BundleReader reader, BundleReader.Entry entry)
            throws IOException, MalformedBundleException {
        if (entry.change().size() > BUNDLE_BYTES_MAX) {
            throw new MalformedBundleException("a digest of " + entry.change().size() + " bytes");
        }
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        if (!Arrays.equals(reader.copyContent(entry, java.nio.channels.Channels.newChannel(content), blake2b), entry.change().contentHash())) {
            throw new MalformedBundleException("the digest does not match its hash");
        }
        Map<String, Digest.Item> theirs = new HashMap<>();
        Digest.decode(content.toByteArray()).items().forEach(i -> theirs.put(i.path(), i));
        int behind = 0;
        for (BoxIndex.Entry mine : List.copyOf(box.entries())) {
            Digest.Item other = theirs.get(PathSafety.canonical(mine.path()));
            boolean send = other == null ? !mine.deleted()
                    : switch (mine.version().compareTo(other.version())) {
                        case NEWER, CONCURRENT -> true;
                        default -> false;
                    };
            if (send && !mine.version().equals(VersionVector.EMPTY)) {
                enqueue(box, mine.path(), true);
                behind++;
            }
        }
        if (behind > 0) {
            log.info("box '{}': {} lacks {} of our entries; sending them", box.name(), peer, behind);
        }
    }

    /** A version that includes everything this node has at the path: it replaces what is there. */
    private void applyNewer(Box box, String peer, BundleReader reader, BundleReader.Entry entry, Path target) throws IOException {
        Change c = entry.change();
        String path = c.path();
        switch (c.kind()) {
            case FILE -> {
                if (sameContent(box, path, target, c)) {
                    setAttributes(target, c);
                    box.record(path, Stamp.read(target), c.contentHash(), c.version(), c.writer());
                } else {
                    receiveFile(box, peer, reader, entry, target, path, c.version(), c.writer());
                }
            }
            case DIRECTORY -> {
                if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    // The sender's version includes our file and made the path a directory.
                    box.versions().takeAway(path);
                    log.info("box '{}': {} became a directory on {}; the file here went to the versions", box.name(), path, peer);
                } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    log.warn("box '{}': not replacing {} with a directory from {}", box.name(), path, peer);
                    return;
                }
                createParents(box, target);
                if (Files.notExists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(target);
                    log.info("box '{}': created directory {} (from {})", box.name(), path, peer);
                }
                Modes.write(target, c.mode());
                box.record(path, Stamp.read(target), null, c.version(), c.writer());
            }
            case DELETED -> {
                if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    box.versions().takeAway(path);
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
                box.recordDeleted(path, c.version(), c.writer());
            }
            case ATTRIBUTES -> {
                if (!sameContent(box, path, target, c)) {
                    log.info("box '{}': not applying new attributes of {} from {}: the content here differs", box.name(), path, peer);
                    return;
                }
                setAttributes(target, c);
                box.record(path, Stamp.read(target), c.contentHash(), c.version(), c.writer());
                log.info("box '{}': new attributes of {} (from {})", box.name(), path, peer);
            }
        }
    }

    /**
     * Two versions neither of which includes the other. Every node decides the same way from the same two
     * versions, so the flock converges without talking about it: identical results merge; an edit beats a
     * deletion (no bytes lost); of two edits the later mtime wins, the higher writer UID on a tie, and the
     * loser is kept beside it as {@code name.sync-conflict-YYYYMMDD-HHMMSS-<writer>.ext}.
     */
    private void resolve(Box box, String peer, BundleReader reader, BundleReader.Entry entry, Path target, Stamp disk,
                         BoxIndex.Entry local, boolean unannounced) throws IOException {
        Change c = entry.change();
        String path = c.path();
        VersionVector merged = c.version().merge(local == null ? VersionVector.EMPTY : local.version());
        boolean remoteDeleted = c.kind() == Change.Kind.DELETED;
        if (disk == null && remoteDeleted) {
            box.recordDeleted(path, merged, c.writer());
            return;
        }
        if (disk == null) {
            // Deleted here, edited there: the edit wins.
            applyNewer(box, peer, reader, entry, target);
            return;
        }
        NodeUid localWriter = unannounced || local == null ? self : local.writer();
        VersionVector mine = local == null ? VersionVector.EMPTY : local.version();
        if (unannounced) {
            mine = mine.bump(box.replica());
        }
        if (disk.directory() && c.kind() == Change.Kind.DIRECTORY) {
            // Both made the directory: the mode of the higher writer, on every node.
            if (c.writer().compareTo(localWriter) > 0) {
                Modes.write(target, c.mode());
            }
            box.record(path, Stamp.read(target), null, merged, c.writer().compareTo(localWriter) > 0 ? c.writer() : localWriter);
            return;
        }
        if (remoteDeleted) {
            // Deleted there, edited here: ours stays and goes out again; there the edit beats the deletion.
            log.info("box '{}': {} was deleted on {} and changed here; keeping ours", box.name(), path, peer);
            enqueue(box, path, true);
            return;
        }
        if (!disk.directory() && c.kind() == Change.Kind.DIRECTORY) {
            // A file here, a directory there: the directory wins everywhere, the file is kept beside it.
            String copy = conflictName(path, disk.mtimeMs(), localWriter);
            moveAside(box, target, copy, mine, localWriter);
            log.warn("box '{}': {} is a directory on {} and was a file here; the file is kept as {}", box.name(), path, peer, copy);
            applyNewer(box, peer, reader, entry, target);
            return;
        }
        if (disk.directory()) {
            // A directory here, a file there: the directory stays, their file is kept beside it.
            String copy = conflictName(path, c.mtimeMs(), c.writer());
            log.warn("box '{}': {} is a file on {} and a directory here; their file is kept as {}", box.name(), path, peer, copy);
            if (c.kind() == Change.Kind.FILE && !sameContent(box, copy, box.resolve(copy), c)) {
                receiveFile(box, peer, reader, entry, box.resolve(copy), copy, c.version(), c.writer());
            }
            box.record(path, disk, null, merged, localWriter);
            enqueue(box, path, true);
            return;
        }
        if (sameContent(box, path, target, c)) {
            if (c.mtimeMs() > disk.mtimeMs()) {
                setAttributes(target, c);
            }
            box.record(path, Stamp.read(target), c.contentHash(), merged, c.writer());
            return;
        }
        if (c.kind() == Change.Kind.ATTRIBUTES) {
            log.info("box '{}': new attributes of {} from {} meet other content here; keeping ours", box.name(), path, peer);
            enqueue(box, path, true);
            return;
        }
        Path incoming = extract(box, peer, reader, entry);
        if (incoming == null) {
            return;
        }
        try {
            FileVersion ours = new FileVersion(disk.size(), disk.mtimeMs(), localWriter.toString(),
                    HexFormat.of().formatHex(hashOf(box, path, disk)), target);
            FileVersion theirs = new FileVersion(c.size(), c.mtimeMs(), c.writer().toString(),
                    HexFormat.of().formatHex(c.contentHash()), incoming);
            // The same order on every node: earlier mtime first, the lower writer on a tie.
            boolean mineFirst = disk.mtimeMs() != c.mtimeMs() ? disk.mtimeMs() < c.mtimeMs() : localWriter.compareTo(c.writer()) < 0;
            Conflict conflict = new Conflict(box.name(), path, mineFirst ? ours : theirs, mineFirst ? theirs : ours);
            Decision decision = decide(box, conflict);
            if (!decision.keepLoserBeside() && !box.versions().keeps()) {
                // Nothing is kept in the versions here: setting the loser aside would lose it.
                decision = Decision.keepBoth(decision.winner());
            }
            boolean theirsWins = (decision.winner() == Decision.Winner.FIRST) != mineFirst;
            if (theirsWins) {
                String copy = conflictName(path, disk.mtimeMs(), localWriter);
                if (decision.keepLoserBeside()) {
                    moveAside(box, target, copy, mine, localWriter);
                } else {
                    box.versions().takeAway(path);
                }
                log.warn("box '{}': {} was changed here and on {} at once; theirs wins, ours is kept {}", box.name(), path, peer,
                        decision.keepLoserBeside() ? "as " + copy : "in the versions");
                place(box, peer, incoming, target, path, c, c.version(), c.writer());
            } else {
                String copy = conflictName(path, c.mtimeMs(), c.writer());
                log.warn("box '{}': {} was changed here and on {} at once; ours wins, theirs is kept {}", box.name(), path, peer,
                        decision.keepLoserBeside() ? "as " + copy : "in the versions");
                if (decision.keepLoserBeside()) {
                    if (!sameContent(box, copy, box.resolve(copy), c)) {
                        // place() keeps whatever had that name in the versions first.
                        place(box, peer, incoming, box.resolve(copy), copy, c, c.version(), c.writer());
                    }
                } else {
                    Files.setLastModifiedTime(incoming, FileTime.fromMillis(c.mtimeMs()));
                    box.versions().takeAway(path, incoming);
                }
                enqueue(box, path, true);
            }
        } finally {
            Files.deleteIfExists(incoming);
        }
    }

    /**
     * Moves a local file that lost to {@code copy} beside it and records it there with the version and writer
     * every other node gives the same copy, then announces it (the others may never have seen it).
     */
    private void moveAside(Box box, Path target, String copy, VersionVector version, NodeUid writer) throws IOException {
        Path copyPath = box.resolve(copy);
        if (Files.isRegularFile(copyPath, LinkOption.NOFOLLOW_LINKS)) {
            // Another loser of the same writer and second already has this name: it goes to the versions.
            box.versions().takeAway(copy);
        }
        Files.move(target, copyPath, StandardCopyOption.ATOMIC_MOVE);
        Stamp moved = Stamp.read(copyPath);
        box.record(copy, moved, blake2b.hash256(copyPath), version, writer);
        enqueue(box, copy, true);
    }

    /** Asks the box's resolver; one that fails or answers nothing keeps both, later edit winning. */
    private Decision decide(Box box, Conflict conflict) {
        ConflictResolver resolver = resolvers.get(box);
        if (resolver != null) {
            try {
                Decision d = resolver.resolve(conflict);
                if (d != null && d.winner() != null) {
                    return d;
                }
                log.error("box '{}': conflict resolver {} gave no decision for {}; keeping both", box.name(), resolver.id(), conflict.path());
            } catch (Exception | LinkageError e) {
                log.error("box '{}': conflict resolver {} failed on {}: {}; keeping both", box.name(), resolver.id(), conflict.path(), e.toString());
            }
        }
        return Decision.keepBoth(Decision.Winner.SECOND);
    }

    /** The name the loser of a conflict is kept under, the same on every node. */
    static String conflictName(String path, long mtimeMs, NodeUid writer) {
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash + 1);
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String when = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochMilli(mtimeMs));
        String suffix = ".sync-conflict-" + when + "-" + writer.shortId() + ext;
        // A path travels in at most 128 bytes: shorten the stem (whole code points) until the copy fits.
        while (!stem.isEmpty() && (dir + stem + suffix).getBytes(StandardCharsets.UTF_8).length > PathSafety.PATH_BYTES_MAX) {
            stem = stem.substring(0, stem.offsetByCodePoints(stem.length(), -1));
        }
        return dir + stem + suffix;
    }

    /** Whether the file here already holds the content a change describes. */
    private boolean sameContent(Box box, String path, Path target, Change c) throws IOException {
        Stamp local = Stamp.read(target);
        if (local == null || local.directory()) {
            return false;
        }
        if (c.kind() == Change.Kind.FILE && local.size() != c.size()) {
            return false;
        }
        return Arrays.equals(hashOf(box, path, local), c.contentHash());
    }

    private static void setAttributes(Path target, Change c) throws IOException {
        Modes.write(target, c.mode());
        Files.setLastModifiedTime(target, FileTime.fromMillis(c.mtimeMs()));
    }

    /** The content hash of a local file: the one remembered if the file is as last synced, else read. */
    private byte[] hashOf(Box box, String path, Stamp local) throws IOException {
        byte[] known = box.knownHash(path);
        return known != null && local.equals(box.known(path)) ? known : blake2b.hash256(box.resolve(path));
    }

    private void receiveFile(Box box, String peer, BundleReader reader, BundleReader.Entry entry, Path target, String path,
                             VersionVector version, NodeUid writer) throws IOException {
        Path temp = extract(box, peer, reader, entry);
        if (temp != null) {
            try {
                place(box, peer, temp, target, path, entry.change(), version, writer);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Copies a file record's content into a temp file in the box's {@code .flocksy/tmp}, fsynced and checked
     * against its hash.
     *
     * @return the temp file (the caller deletes it), or {@code null} if the content does not match
     */
    private Path extract(Box box, String peer, BundleReader reader, BundleReader.Entry entry) throws IOException {
        Change c = entry.change();
        Path temp = box.tmpDir().resolve("in-" + tempCounter.incrementAndGet() + ".part");
        boolean ok = false;
        try {
            byte[] hash;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                hash = reader.copyContent(entry, out, blake2b);
                out.force(true);
            }
            ok = Arrays.equals(hash, c.contentHash());
            if (!ok) {
                log.warn("box '{}': {} from {} does not match its hash; not applied", box.name(), c.path(), peer);
            }
            return ok ? temp : null;
        } finally {
            if (!ok) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Gives a verified temp file its mode and mtime and renames it over {@code target}, then records it. */
    private void place(Box box, String peer, Path temp, Path target, String path, Change c, VersionVector version,
                       NodeUid writer) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            try {
                // A directory emptied by the same bundle's deletions makes way for the file.
                Files.delete(target);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                log.warn("box '{}': not replacing directory {} with a file from {}: it is not empty", box.name(), path, peer);
                return;
            }
        }
        Modes.write(temp, c.mode());
        Files.setLastModifiedTime(temp, FileTime.fromMillis(c.mtimeMs()));
        createParents(box, target);
        box.versions().keepBeforeOverwrite(path);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // A copy across file systems would show a growing file: refuse instead.
            log.error("box '{}': cannot place {} atomically (another file system is mounted inside the box); the box is unchanged",
                    box.name(), path);
            return;
        }
        box.record(path, Stamp.read(target), c.contentHash(), version, writer);
        log.info("box '{}': received {} ({} bytes) from {}", box.name(), path, c.size(), peer);
    }

    /** Creates missing parent directories and remembers them, so that they are not announced back (echo). */
    private void createParents(Box box, Path target) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = target.getParent(); p != null && !p.equals(box.root()) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            box.record(box.relative(p), Stamp.read(p), null, VersionVector.EMPTY, self);
        }
    }

    private static String printable(String path) {
        return path.replaceAll("\\p{Cntrl}", "?");
    }

    /** Stops watching and closes the indexes; call once the event loop has stopped. */
    @Override
    public void close() {
        watches.forEach(WatchHandle::close);
        watches.clear();
        boxes.forEach(Box::close);
    }
}
