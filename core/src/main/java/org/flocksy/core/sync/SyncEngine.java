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
import org.flocksy.core.bundle.Move;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Problems;
import org.flocksy.core.config.Settings;
import org.flocksy.core.backup.Versions;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.ignore.IgnoreRules;
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
    /** How often every stored version is offered to the box's backup strategy (besides at each new version). */
    static final long PRUNE_NANOS = 3_600_000_000_000L;
    /** How soon a box folder that went away (an unmounted disk) or came back is noticed without any other event. */
    static final long PRESENCE_NANOS = 5_000_000_000L;
    /** Joins within this long of each other cost one digest per box, not one each. */
    static final long DIGEST_SETTLE_NANOS = 2_000_000_000L;

    /** A queued path; {@code resend} sends what the index has even when the disk did not change. */
    record Key(Box box, String path, boolean resend) {
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
    /** Parts of digests still to send, in order. */
    private final Deque<Map.Entry<Box, Digest>> digestParts = new ArrayDeque<>();
    private long joinGeneration;
    private final Map<Box, WatchHandle> watches = new HashMap<>();
    private final Set<Box> paused = new HashSet<>();
    private final Set<Box> pausedByUser = new HashSet<>();
    /** Boxes removed while running: their indexes close with the engine. */
    private final List<Box> removed = new ArrayList<>();
    private final AtomicLong tempCounter = new AtomicLong();
    private final ReadAhead readAhead;
    private final NodeUid self;
    private final Settings settings;
    private final Map<Box, ConflictResolver> resolvers = new HashMap<>();
    private Runnable onWork = () -> {};
    /** Writes bundles off the event loop: one at a time, so a burst never holds more than one bundle's disk work. */
    private final java.util.concurrent.ExecutorService preparer;
    /** A bundle is being written. */
    private boolean preparing;
    /** A written bundle, the next run. */
    private OutgoingRun prepared;

    @Inject
    public SyncEngine(List<Box> boxes, PluginCatalog plugins, Blake2b blake2b, Loop loop, Clock clock,
                      Settings settings, ReadAhead readAhead, NodeUid self) {
        this.readAhead = readAhead;
        this.self = self;
        this.settings = settings;
        this.boxes = new java.util.concurrent.CopyOnWriteArrayList<>(boxes);
        this.plugins = plugins;
        this.blake2b = blake2b;
        this.loop = loop;
        this.clock = clock;
        this.nodeName = settings.nodeName();
        this.preparer = readAhead == ReadAhead.INLINE ? null : java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flocksy-prepare-" + nodeName);
            t.setDaemon(true);
            return t;
        });
    }

    public List<Box> boxes() {
        return java.util.Collections.unmodifiableList(boxes);
    }

    /** Changes of {@code box} waiting to be sent. */
    public int queued(Box box) {
        return (int) queue.stream().filter(k -> k.box() == box).count();
    }

    /** Whether the user paused the box (the shell's {@code box pause}). */
    public boolean pausedByUser(Box box) {
        return pausedByUser.contains(box);
    }

    /**
     * Stops syncing a box until {@link #resume}: nothing is scanned or sent, runs for it are received into
     * nothing. Changes made meanwhile are found when it resumes.
     */
    public void pause(Box box) {
        if (pausedByUser.add(box)) {
            log.info("box '{}': paused", box.name());
        }
    }

    /**
     * Syncs a paused box again: a rescan sends what changed here meanwhile, and the box's digest asks the
     * group for what it sent meanwhile (runs for a paused box are refused, yet count as delivered).
     */
    public void resume(Box box) {
        if (pausedByUser.remove(box)) {
            log.info("box '{}': resumed", box.name());
            rescanNow(box);
            askForWhatIsMissing(box);
        }
    }

    /** Sends the box's digest, so the group resends what this node refused or missed (skipped while the box is unavailable). */
    private void askForWhatIsMissing(Box box) {
        digestWanted.add(box);
        onWork.run();
    }

    /** Compares the whole box with its index now (the shell's {@code box rescan}). */
    public void rescanNow(Box box) {
        rescan(box, "as asked");
    }

    /**
     * Opens each box's index, queues whatever differs between it and the disk (changes made while this
     * node was not running, or everything in a folder new to flocksy) and starts watching.
     */
    public void start(Runnable onWork) throws IOException {
        this.onWork = onWork;
        for (Box box : boxes) {
            startBox(box);
        }
        pruneVersions();
        loop.every(PRUNE_NANOS, this::pruneVersions);
        loop.every(PRESENCE_NANOS, () -> List.copyOf(boxes).forEach(this::available));
    }

    /** Opens one box's index, queues what differs from its folder and starts watching it. */
    private void startBox(Box box) throws IOException {
        box.links(LinkMode.of(settings.symlinksOf(box.name())));
        chooseResolver(box);
        chooseBackup(box);
        try {
            box.loadIgnoreRules();
        } catch (IOException e) {
            // Perhaps a peer's edit: stop this box, not the daemon, and never sync what the file meant to keep out.
            log.error("box '{}': {}; the box is paused until the file is fixed and flocksy restarted", box.name(), Problems.describe(e));
            box.block();
            return;
        }
        try {
            Files.createDirectories(box.tmpDir());
            sweep(box.tmpDir());
            box.open();
            enqueueDifferences(box, box.scan(), box.knownPaths());
        } catch (IOException e) {
            box.close();
            String where = e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null ? fs.getFile() : box.root().toString();
            throw new IOException("box '" + box.name() + "': cannot use " + where + ": " + Problems.describe(e), e);
        }
        watches.put(box, watch(box));
    }

    /**
     * Starts syncing another box while the node runs (the shell's {@code box add}); peers sync it once they
     * have a box of that name too, and whatever they sent before is asked for again.
     *
     * @throws IOException naming the problem: a name or folder already in use, an unusable folder
     */
    public void addBox(String name, Path root) throws IOException {
        for (Box other : boxes) {
            if (other.name().equals(name)) {
                throw new IOException("there is a box '" + name + "' already, at " + other.root());
            }
            if (root.startsWith(other.root()) || other.root().startsWith(root)) {
                throw new IOException(root + " overlaps box '" + other.name() + "' at " + other.root());
            }
        }
        Box box = new Box(name, root, blake2b);
        startBox(box);
        boxes.add(box);
        log.info("box '{}' at {}: added", name, root);
        // Peers that already had this box sent runs this node refused: its digest asks for them again.
        askForWhatIsMissing(box);
    }

    /** Stops syncing a box (the shell's {@code box remove}); its folder, index and versions stay as they are. */
    public void removeBox(Box box) {
        if (!boxes.remove(box)) {
            return;
        }
        WatchHandle watch = watches.remove(box);
        if (watch != null) {
            watch.close();
        }
        queue.removeIf(k -> k.box() == box);
        queued.removeIf(k -> k.box() == box);
        resend.removeIf(k -> k.box() == box);
        pending.keySet().removeIf(k -> k.box() == box);
        digestWanted.remove(box);
        digestParts.removeIf(e -> e.getKey() == box);
        // A bundle being written or a run in progress for it ends on its own; its index closes with the node.
        pausedByUser.add(box);
        removed.add(box);
        log.info("box '{}' at {}: removed; the folder is left as it is", box.name(), box.root());
    }

    /** Lets each box's backup strategy drop the stored versions it no longer wants (a trash can's old ones). */
    private void pruneVersions() {
        for (Box box : boxes) {
            if (box.available() && box.versions() != null) {
                try {
                    int pruned = box.versions().pruneAll();
                    if (pruned > 0) {
                        log.info("box '{}': {} stored version(s) expired and deleted", box.name(), pruned);
                    }
                } catch (IOException e) {
                    log.warn("box '{}': cannot prune its stored versions: {}", box.name(), Problems.describe(e));
                }
            }
        }
    }

    /**
     * The box's conflict resolver, as the config names it. Without a plugin for the default, the kernel's own
     * rule (keep both, the later edit wins) applies; a resolver the config names must exist.
     */
    private void chooseResolver(Box box) throws IOException {
        ConflictResolver resolver;
        try {
            resolver = plugins.resolverFor(settings, box.name()).orElse(null);
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (resolver != null) {
            resolvers.put(box, resolver);
            log.info("box '{}': conflicts resolved by {}", box.name(), resolver.id());
        }
    }

    /** The box's backup strategy; without a plugin for the default, replaced files are not kept (and the log says so). */
    private void chooseBackup(Box box) throws IOException {
        PluginCatalog.BackupChoice choice;
        try {
            choice = plugins.backupFor(settings, box.name());
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (choice.strategy() != null) {
            log.info("box '{}': replaced and deleted files kept by {}", box.name(), choice.chosen());
        } else if (!choice.chosen().equals("none")) {
            log.warn("box '{}': no backup strategy plugin '{}': replaced and deleted files are not kept", box.name(), choice.chosen());
        }
        box.versions(new Versions(box.name(), box.root(), box.versionsDir(), choice.strategy(), choice.parameter(),
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
        if (rel.equals(IgnoreRules.FILE_NAME)) {
            loop.after(SETTLE_NANOS, () -> reloadIgnoreRules(box));
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
            Stamp stamp = box.stamp(abs);
            if (stamp != null && stamp.directory()) {
                enqueueDifferences(box, box.scan(abs), box.knownUnder(rel));
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

    private void rescan(Box box) {
        rescan(box, "after lost watch events");
    }

    private void rescan(Box box, String why) {
        if (!available(box)) {
            return;
        }
        log.info("box '{}': rescanning {}", box.name(), why);
        try {
            enqueueDifferences(box, box.scan(), box.knownPaths());
        } catch (IOException e) {
            log.warn("box '{}': rescan failed, nothing sent: {}", box.name(), Problems.describe(e));
        }
    }

    /**
     * The box's ignore rules changed (here or from a peer): paths no longer ignored are found by a rescan;
     * paths now ignored simply stop syncing. A file with a bad line keeps the rules as they were.
     */
    private void reloadIgnoreRules(Box box) {
        try {
            box.loadIgnoreRules();
            rescan(box, "with the new " + IgnoreRules.FILE_NAME);
        } catch (IOException e) {
            log.error("box '{}': {}; keeping the ignore rules as they were", box.name(), Problems.describe(e));
        }
    }

    /** Queues every scanned file that differs from what is known, and every known one the scan no longer found. */
    private void enqueueDifferences(Box box, Map<String, Stamp> found, Set<String> knownInScope) {
        Map<String, Stamp> inodes = new HashMap<>();
        found.forEach((path, stamp) -> {
            Stamp known = box.known(path);
            if (!stamp.equals(known)) {
                enqueue(box, path);
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
    }

    /** A box whose folder vanished (unmounted disk, removed folder) is paused: logged once, never read. */
    private boolean available(Box box) {
        if (box.blocked() || pausedByUser.contains(box)) {
            return false;
        }
        boolean available = box.available();
        if (!available && paused.add(box)) {
            log.warn("box '{}': {} is gone (unmounted?); pausing the box, nothing is deleted on other nodes", box.name(), box.root());
        } else if (available && paused.remove(box)) {
            log.info("box '{}': {} is back; resuming", box.name(), box.root());
            rescan(box);
            // Runs for it were refused while it was gone.
            askForWhatIsMissing(box);
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
        if (box.ignores(rel)) {
            // Ignored here: neither sent nor, if it was synced before, sent as deleted.
            return;
        }
        Key key = new Key(box, rel);
        if (queued.add(key)) {
            queue.addLast(key);
            onWork.run();
        }
    }

    public boolean hasWork() {
        return !queue.isEmpty() || !digestWanted.isEmpty() || !digestParts.isEmpty() || preparing || prepared != null;
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

    /**
     * The next local changes as one run ready to announce, or {@code null} for now. Changes are planned here
     * from stamps and the index (queued changes of the first queued box, up to {@link #BUNDLE_RECORDS_MAX}
     * records and, unless a single file is larger, {@link #BUNDLE_BYTES_MAX} bytes); the bundle is written
     * off the event loop, and once it is ready {@code onWork} asks again. Digests go when no change waits.
     */
    public OutgoingRun nextOutgoing() {
        if (prepared == null && !preparing) {
            startPreparing();
        }
        if (prepared != null) {
            OutgoingRun run = prepared;
            prepared = null;
            return run;
        }
        if (preparing) {
            return null;
        }
        OutgoingRun run = null;
        while (run == null && (!digestParts.isEmpty() || !digestWanted.isEmpty())) {
            if (digestParts.isEmpty()) {
                Box box = digestWanted.iterator().next();
                digestWanted.remove(box);
                if (available(box)) {
                    List<Digest.Item> items = box.entries().stream()
                            .map(e -> new Digest.Item(PathSafety.canonical(e.path()), e.deleted(), e.version()))
                            .filter(i -> i.path().getBytes(StandardCharsets.UTF_8).length <= PathSafety.PATH_BYTES_MAX).toList();
                    Digest.split(items, BUNDLE_BYTES_MAX).forEach(d -> digestParts.add(Map.entry(box, d)));
                }
                continue;
            }
            Map.Entry<Box, Digest> part = digestParts.pollFirst();
            try {
                run = digest(part.getKey(), part.getValue());
            } catch (IOException e) {
                log.warn("box '{}': cannot write its digest into {}: {}", part.getKey().name(), part.getKey().tmpDir(), Problems.describe(e));
            }
        }
        return run;
    }

    /** One run carrying one part of a box's digest (a large index takes several, each for a range of paths). */
    private OutgoingRun digest(Box box, Digest part) throws IOException {
        if (!available(box)) {
            return null;
        }
        Files.createDirectories(box.tmpDir());
        Path file = box.tmpDir().resolve("out-" + tempCounter.incrementAndGet() + ".bundle");
        Change change;
        byte[] content = part.encode();
        try (BundleWriter writer = new BundleWriter(file, blake2b)) {
            writer.addDigest(content, self);
            change = new Change(Change.Kind.DIGEST, ".", 0, 0, content.length, blake2b.hash256(content), VersionVector.EMPTY, self);
        }
        RunMetadata metadata = new RunMetadata(box.uid(), 1, Files.size(file), blake2b.hash256(file), 0);
        return new OutgoingRun(box, List.of(new OutgoingRun.Sent(".", change, null)), metadata, true, file, readAhead);
    }

    /** Plans the next queued changes and hands their bundle to the preparer. */
    private void startPreparing() {
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
            Path file = box.tmpDir().resolve("out-" + tempCounter.incrementAndGet() + ".bundle");
            preparing = true;
            if (readAhead == ReadAhead.INLINE) {
                finishPreparing(box, planned, () -> BundlePreparer.prepare(box, planned, file, blake2b, BUNDLE_BYTES_MAX));
                return;
            }
            preparer.execute(() -> {
                BundlePreparer.Result result = null;
                IOException failure = null;
                try {
                    result = BundlePreparer.prepare(box, planned, file, blake2b, BUNDLE_BYTES_MAX);
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException | Error e) {
                    // Reported like a failed write: the loop tries again later, the preparer never stays "busy".
                    failure = new IOException(e);
                }
                BundlePreparer.Result done = result;
                IOException failed = failure;
                loop.post(() -> finishPreparing(box, planned, () -> {
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
            loop.after(RETRY_NANOS, () -> planned.forEach(p -> enqueue(box, p.key().path(), true)));
            return;
        }
        boolean stale = planned.stream().anyMatch(p -> box.entry(p.key().path()) != p.base());
        if (stale) {
            log.debug("box '{}': a peer's run changed paths of the bundle being written; planning it again", box.name());
            delete(result.file());
            planned.forEach(p -> enqueue(box, p.key().path(), p.key().resend()));
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
            delete(result.file());
            // The in-memory index may already hold the new versions: send what it has, whatever the disk says.
            loop.after(RETRY_NANOS, () -> planned.forEach(p -> enqueue(box, p.key().path(), true)));
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
        result.changedMeanwhile().forEach(p -> touched(box, box.resolve(p.key().path())));
        result.deferred().forEach(p -> enqueue(box, p.key().path(), p.key().resend()));
        if (sent.isEmpty()) {
            delete(result.file());
            onWork.run();
            return;
        }
        RunMetadata metadata = new RunMetadata(box.uid(), result.records(), result.length(), result.hash(), 0);
        prepared = new OutgoingRun(box, sent, metadata, result.hasContent(), result.file(), readAhead);
        onWork.run();
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left in .flocksy/tmp; swept at the next start.
        }
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
     * send it again. A local change gets a new version: the index's vector bumped by this node. Only stamps
     * are read here; hashing is the preparer's.
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
        Stamp now = box.stamp(abs);
        Stamp known = box.known(rel);
        BoxIndex.Entry entry = box.entry(rel);
        VersionVector base = entry == null ? VersionVector.EMPTY : entry.version();
        if (now == null) {
            if (known != null) {
                return new Planned(key, wirePath, Change.Kind.DELETED, null, null, base.bump(box.replica()), self, true, entry, null);
            }
            return key.resend() && entry != null
                    ? new Planned(key, wirePath, Change.Kind.DELETED, null, null, base, entry.writer(), false, entry, null) : null;
        }
        if (now.equals(known)) {
            if (!key.resend()) {
                return null;
            }
            Change.Kind kind = now.directory() ? Change.Kind.DIRECTORY : Change.Kind.FILE;
            return new Planned(key, wirePath, kind, now, entry.hash(), base, entry.writer(), false, entry, null);
        }
        Change.Kind kind = now.directory() ? Change.Kind.DIRECTORY : Change.Kind.FILE;
        return new Planned(key, wirePath, kind, now, null, base.bump(box.replica()), self, true, entry, null);
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
        if (refusal == null && pausedByUser.contains(box)) {
            refusal = "the box is paused here";
        }
        if (refusal == null && box.blocked()) {
            refusal = "the box is paused (its " + IgnoreRules.FILE_NAME + " cannot be read)";
        }
        if (refusal == null && !available(box)) {
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
        for (Path p = parent; p != null && p.startsWith(box.root()) && !p.equals(box.root()); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                // A link to a folder is synced as a link (or followed only for reading): never written through.
                return "path leads through the link " + box.relative(p);
            }
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
                try {
                    applyChange(box, run.peer(), Received.of(reader, e, blake2b));
                } catch (RuntimeException defect) {
                    // A defect on one record must not cost the rest of the run, nor make the run come back forever.
                    log.error("box '{}': failed to apply {} from {}: {}", box.name(), e.change(), run.peer(), defect.toString(), defect);
                }
            }
        } catch (MalformedBundleException e) {
            log.error("box '{}': the bundle from {} is malformed after {} change(s): {}; the rest is not applied",
                    box.name(), run.peer(), applied, e.getMessage());
        } catch (IOException e) {
            log.error("box '{}': cannot read the bundle from {}: {}; {} change(s) applied, the rest not",
                    box.name(), run.peer(), Problems.describe(e), applied);
        }
    }

    private void applyChange(Box box, String peer, Received entry)
            throws IOException, MalformedBundleException {
        Change c = entry.change();
        if (c.kind() == Change.Kind.DIGEST) {
            compareDigest(box, peer, entry);
            return;
        }
        if (c.kind() == Change.Kind.MOVED) {
            applyMove(box, peer, entry);
            return;
        }
        String path = c.path();
        String refusal = refusal(box, path);
        if (refusal != null) {
            log.warn("box '{}': refusing {} of '{}' from {}: {}", box.name(), c.kind(), printable(path), peer, refusal);
            return;
        }
        if (box.ignores(box.localName(path))) {
            log.debug("box '{}': {} of {} from {} is ignored here", box.name(), c.kind(), path, peer);
            return;
        }
        String spelled = box.localName(path);
        if (!spelled.equals(path)) {
            // The same name in another Unicode form (NFD on disk, NFC on the wire): it is that file.
            entry = entry.withChange(c.withPath(spelled));
            c = entry.change();
            path = spelled;
        }
        Path target = box.resolve(path);
        try {
            Stamp disk = box.stamp(target);
            BoxIndex.Entry local = box.entry(path);
            VersionVector mine = local == null ? VersionVector.EMPTY : local.version();
            boolean unannounced = !Stamp.sameContentStamp(disk, box.known(path));
            if (unannounced) {
                // An edit here the sender cannot have seen yet: a version of its own.
                mine = mine.bump(box.replica());
            }
            switch (c.version().compareTo(mine)) {
                case OLDER, EQUAL -> log.debug("box '{}': {} from {} is not newer than ours", box.name(), c, peer);
                case NEWER -> applyNewer(box, peer, entry, target);
                case CONCURRENT -> resolve(box, peer, entry, target, disk, local, unannounced);
            }
        } catch (IOException e) {
            log.error("box '{}': cannot apply {} of {} from {}: {}; that entry is unchanged", box.name(), c.kind(), path, peer, Problems.describe(e));
        }
    }

    /** Why a path from a peer must not be touched here, or {@code null}. */
    private static String refusal(Box box, String path) {
        String refusal = PathSafety.problem(path);
        if (refusal == null && !PathSafety.canonical(path).equals(path)) {
            refusal = "path not in NFC form";
        }
        // Checked as this node spells the name: that is the path written.
        return refusal != null ? refusal : escapes(box, box.localName(path));
    }

    /**
     * A rename or move: the file at the record's path gets the content that was at the source, taken from
     * this node's own disk, and the source is deleted. A node without that content applies the deletion
     * and asks the group for what it lacks with its digest (an ordinary run), instead of applying nothing.
     */
    private void applyMove(Box box, String peer, Received entry) throws IOException, MalformedBundleException {
        Change c = entry.change();
        Move move = Move.decode(smallContent(entry, Move.BYTES_MAX));
        Change file = new Change(Change.Kind.FILE, c.path(), c.mode(), c.mtimeMs(), move.size(), move.contentHash(), c.version(), c.writer());
        Change gone = Change.deleted(move.source(), move.sourceVersion(), c.writer());
        String source = refusal(box, move.source()) == null ? box.localName(move.source()) : null;
        Path from = source == null ? null : box.resolve(source);
        Stamp stamp = from == null ? null : box.stamp(from);
        boolean have = stamp != null && !stamp.directory() && stamp.size() == move.size()
                && Arrays.equals(hashOf(box, source, stamp), move.contentHash());
        if (have) {
            applyChange(box, peer, Received.local(file, from, blake2b));
        } else {
            BoxIndex.Entry known = box.entry(box.localName(c.path()));
            VersionVector.Order order = c.version().compareTo(known == null ? VersionVector.EMPTY : known.version());
            if (order == VersionVector.Order.NEWER || order == VersionVector.Order.CONCURRENT) {
                log.info("box '{}': {} moved {} to {}, but that content is not here; asking the group for it", box.name(), peer,
                        printable(move.source()), printable(c.path()));
                digestWanted.add(box);
                onWork.run();
            }
        }
        Path to = box.resolve(box.localName(c.path()));
        if (have && Files.exists(from, LinkOption.NOFOLLOW_LINKS) && Files.exists(to, LinkOption.NOFOLLOW_LINKS) && Files.isSameFile(from, to)) {
            // A case-only rename on a file system that ignores case: the old name is the new file. Give it the
            // new spelling on disk (through a temp name), else the next scan would find the old one again.
            if (!from.getFileName().toString().equals(to.getFileName().toString())) {
                Path temp = box.tmpDir().resolve("case-" + tempCounter.incrementAndGet());
                Files.move(from, temp, StandardCopyOption.ATOMIC_MOVE);
                Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE);
            }
            if (gone.version().compareTo(box.entry(source) == null ? VersionVector.EMPTY : box.entry(source).version()) == VersionVector.Order.NEWER) {
                box.recordDeleted(source, gone.version(), gone.writer());
            }
            return;
        }
        boolean movedAway = have && Arrays.equals(box.knownHash(box.localName(c.path())), move.contentHash());
        applyChange(box, peer, Received.deletion(gone, movedAway));
    }

    /** The content of a small record (digest, move), checked against its hash. */
    private static byte[] smallContent(Received entry, long max) throws IOException, MalformedBundleException {
        Change c = entry.change();
        if (c.size() > max) {
            throw new MalformedBundleException("a " + c.kind() + " record of " + c.size() + " bytes");
        }
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        if (!Arrays.equals(entry.content().copyTo(java.nio.channels.Channels.newChannel(content)), c.contentHash())) {
            throw new MalformedBundleException("a " + c.kind() + " record does not match its hash");
        }
        return content.toByteArray();
    }

    /** Queues whatever this node has that the digest's sender lacks or has only in an older version. */
    private void compareDigest(Box box, String peer, Received entry)
            throws IOException, MalformedBundleException {
        Map<String, Digest.Item> theirs = new HashMap<>();
        Digest digest = Digest.decode(smallContent(entry, BUNDLE_BYTES_MAX));
        digest.items().forEach(i -> theirs.put(i.path(), i));
        int behind = 0;
        for (BoxIndex.Entry mine : List.copyOf(box.entries())) {
            String canonical = PathSafety.canonical(mine.path());
            if (!digest.covers(canonical)) {
                continue;
            }
            Digest.Item other = theirs.get(canonical);
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
    private void applyNewer(Box box, String peer, Received entry, Path target) throws IOException {
        Change c = entry.change();
        String path = c.path();
        switch (c.kind()) {
            case FILE -> {
                if (sameContent(box, path, target, c)) {
                    setAttributes(target, c);
                    box.record(path, box.stamp(target), c.contentHash(), c.version(), c.writer());
                } else {
                    receiveFile(box, peer, entry, target, path, c.version(), c.writer());
                }
            }
            case DIRECTORY -> {
                if (Files.isSymbolicLink(target) && box.links() != LinkMode.FOLLOW) {
                    // A newer version made the link's path a directory; the link's text is all it held.
                    Files.delete(target);
                    log.info("box '{}': link {} became a directory on {}", box.name(), path, peer);
                } else if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
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
                box.record(path, box.stamp(target), null, c.version(), c.writer());
            }
            case DELETED -> {
                if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && entry.movedAway()) {
                    // Renamed: the content lives on under its new name, a copy in the versions would only take space.
                    Files.delete(target);
                    log.info("box '{}': moved {} (from {})", box.name(), path, peer);
                } else if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    box.versions().takeAway(path);
                    log.info("box '{}': deleted {} (from {})", box.name(), path, peer);
                } else if (Files.isSymbolicLink(target)) {
                    // Only the link goes, never what it points to; its text is in the index of every node that had it.
                    Files.delete(target);
                    log.info("box '{}': deleted link {} (from {})", box.name(), path, peer);
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
                box.record(path, box.stamp(target), c.contentHash(), c.version(), c.writer());
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
    private void resolve(Box box, String peer, Received entry, Path target, Stamp disk,
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
            applyNewer(box, peer, entry, target);
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
            box.record(path, box.stamp(target), null, merged, c.writer().compareTo(localWriter) > 0 ? c.writer() : localWriter);
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
            applyNewer(box, peer, entry, target);
            return;
        }
        if (disk.directory()) {
            // A directory here, a file there: the directory stays, their file is kept beside it.
            String copy = conflictName(path, c.mtimeMs(), c.writer());
            log.warn("box '{}': {} is a file on {} and a directory here; their file is kept as {}", box.name(), path, peer, copy);
            if (c.kind() == Change.Kind.FILE && !sameContent(box, copy, box.resolve(copy), c)) {
                receiveFile(box, peer, entry, box.resolve(copy), copy, c.version(), c.writer());
            }
            box.record(path, disk, null, merged, localWriter);
            enqueue(box, path, true);
            return;
        }
        if (sameContent(box, path, target, c)) {
            if (c.mtimeMs() > disk.mtimeMs()) {
                setAttributes(target, c);
            }
            box.record(path, box.stamp(target), c.contentHash(), merged, c.writer());
            return;
        }
        if (c.kind() == Change.Kind.ATTRIBUTES) {
            log.info("box '{}': new attributes of {} from {} meet other content here; keeping ours", box.name(), path, peer);
            enqueue(box, path, true);
            return;
        }
        Path incoming = extract(box, peer, entry);
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
                log.warn("box '{}': {} was changed concurrently by {} and {}; the version from {} wins, the one here is kept {}", box.name(), path,
                        localWriter, c.writer(), peer, decision.keepLoserBeside() ? "as " + copy : "in the versions");
                place(box, peer, incoming, target, path, c, c.version(), c.writer());
            } else {
                String copy = conflictName(path, c.mtimeMs(), c.writer());
                log.warn("box '{}': {} was changed concurrently by {} and {}; the version here wins, the one from {} is kept {}", box.name(), path,
                        localWriter, c.writer(), peer, decision.keepLoserBeside() ? "as " + copy : "in the versions");
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
        Stamp moved = box.stamp(copyPath);
        box.record(copy, moved, box.hash(copyPath, moved, blake2b), version, writer);
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
        Stamp local = box.stamp(target);
        if (local == null || local.directory() || local.link() != Stamp.isLink(c.mode())) {
            return false;
        }
        if (c.kind() == Change.Kind.FILE && local.size() != c.size()) {
            return false;
        }
        return Arrays.equals(hashOf(box, path, local), c.contentHash());
    }

    private static void setAttributes(Path target, Change c) throws IOException {
        if (Stamp.isLink(c.mode())) {
            // A link has no mode of its own, and setting a time through it would change what it points to.
            return;
        }
        Modes.write(target, c.mode());
        Files.setLastModifiedTime(target, FileTime.fromMillis(c.mtimeMs()));
    }

    /** The content hash of a local file: the one remembered if the file is as last synced, else read. */
    private byte[] hashOf(Box box, String path, Stamp local) throws IOException {
        byte[] known = box.knownHash(path);
        return known != null && local.equals(box.known(path)) ? known : box.hash(box.resolve(path), local, blake2b);
    }

    private void receiveFile(Box box, String peer, Received entry, Path target, String path,
                             VersionVector version, NodeUid writer) throws IOException {
        Path temp = extract(box, peer, entry);
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
    private Path extract(Box box, String peer, Received entry) throws IOException {
        Change c = entry.change();
        Path temp = box.tmpDir().resolve("in-" + tempCounter.incrementAndGet() + ".part");
        boolean ok = false;
        try {
            byte[] hash;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                hash = entry.content().copyTo(out);
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
        if (Stamp.isLink(c.mode())) {
            placeLink(box, peer, temp, target, path, c, version, writer);
            return;
        }
        if (box.links() == LinkMode.FOLLOW && Files.isSymbolicLink(target)) {
            log.warn("box '{}': not replacing {} with a file from {}: it is a followed link here", box.name(), path, peer);
            return;
        }
        if (!makeWay(box, target, path, "a file", peer)) {
            return;
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
        box.record(path, box.stamp(target), c.contentHash(), version, writer);
        log.info("box '{}': received {} ({} bytes) from {}", box.name(), path, c.size(), peer);
        if (path.equals(IgnoreRules.FILE_NAME)) {
            reloadIgnoreRules(box);
        }
    }

    /**
     * A link synced as a link: made beside the box's temp files and renamed into place, like a file. Only
     * where the box copies links, and only if it stays inside the box.
     */
    private void placeLink(Box box, String peer, Path temp, Path target, String path, Change c, VersionVector version,
                           NodeUid writer) throws IOException {
        if (box.links() == LinkMode.IGNORE) {
            log.info("box '{}': not making link {} from {}: links are ignored here (symlinks = {}:copy makes them)", box.name(), path, peer,
                    box.name());
            return;
        }
        String text = c.size() > 4096 ? null : new String(Files.readAllBytes(temp), StandardCharsets.UTF_8);
        if (text == null || text.isEmpty() || text.indexOf('\0') >= 0 || !box.inside(target.getParent(), text)) {
            log.warn("box '{}': refusing link {} from {}: it would lead out of the box", box.name(), printable(path), peer);
            return;
        }
        if (!makeWay(box, target, path, "a link", peer)) {
            return;
        }
        Path link = box.tmpDir().resolve("in-" + tempCounter.incrementAndGet() + ".link");
        Files.createSymbolicLink(link, Path.of(text));
        try {
            createParents(box, target);
            box.versions().keepBeforeOverwrite(path);
            Files.move(link, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(link);
        }
        // As a link, whatever the box's mode: a link made dangling for now (its target comes later in the bundle) is still a link.
        box.record(path, Stamp.read(target, LinkMode.COPY), c.contentHash(), version, writer);
        log.info("box '{}': received link {} -> {} from {}", box.name(), path, printable(text), peer);
    }

    /**
     * A directory where a file or link goes is removed if the same bundle's deletions emptied it.
     *
     * @return false if it still holds something (then nothing is replaced, and that is logged)
     */
    private static boolean makeWay(Box box, Path target, String path, String what, String peer) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.delete(target);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                log.warn("box '{}': not replacing directory {} with {} from {}: it is not empty", box.name(), path, what, peer);
                return false;
            }
        }
        return true;
    }

    /** Creates missing parent directories and remembers them, so that they are not announced back (echo). */
    private void createParents(Box box, Path target) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = target.getParent(); p != null && !p.equals(box.root()) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            box.record(box.relative(p), box.stamp(p), null, VersionVector.EMPTY, self);
        }
    }

    private static String printable(String path) {
        return path.replaceAll("\\p{Cntrl}", "?");
    }

    /** Stops watching and closes the indexes; call once the event loop has stopped. */
    @Override
    public void close() {
        if (preparer != null) {
            preparer.shutdownNow();
            try {
                if (!preparer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
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
        watches.values().forEach(WatchHandle::close);
        watches.clear();
        boxes.forEach(Box::close);
        removed.forEach(Box::close);
    }
}
