package org.flocksy.core.sync;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flocksy.core.backup.Versions;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.ignore.IgnoreRules;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.path.PathSafety;
import org.flocksy.core.version.VersionVector;

/**
 * A box on this node: its name, root, UID, and its index: what this node has at each path, with the
 * version vectors that order it against what other nodes have. Confined to the kernel's event loop.
 */
public final class Box {
    private final String name;
    private final Path root;
    private final byte[] uid;
    private final Map<String, BoxIndex.Entry> entries = new HashMap<>();
    /** Index paths not in NFC, by their NFC form. */
    private final Map<String, String> otherForms = new HashMap<>();
    private BoxIndex index;
    private Versions versions;
    private IgnoreRules ignoreRules = IgnoreRules.builtIn();
    private LinkMode links = LinkMode.COPY;
    /** In the state folder: the ignore file as it was when its rules were last in force. */
    private static final String IGNORE_IN_FORCE = "ignore-in-force";
    /** How long a tombstone is kept: 15 months, Syncthing's default for deleted files. */
    static final long TOMBSTONES_KEPT_MS = 455L * 24 * 3600 * 1000;
    private LongSupplier wallMs = System::currentTimeMillis;
    /** Until the box is opened and its umask read: the common default. */
    private int umask = 022;
    /** Links leading out of the box, logged once each. */
    private final Set<String> linksOut = ConcurrentHashMap.newKeySet();
    private volatile boolean blocked;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Box.class);

    public Box(String name, Path root, Blake2b blake2b) {
        this.name = name;
        this.root = root;
        this.uid = blake2b.hash256(name.getBytes(StandardCharsets.UTF_8));
    }

    public String name() {
        return name;
    }

    public Path root() {
        return root;
    }

    public byte[] uid() {
        return uid.clone();
    }

    public Path stateDir() {
        return root.resolve(PathSafety.STATE_DIR);
    }

    public Path tmpDir() {
        return stateDir().resolve("tmp");
    }

    /** The bits this node's umask clears: a peer's mode is applied without them. */
    int umask() {
        return umask;
    }

    void umask(int umask) {
        this.umask = umask;
    }

    /**
     * The box-relative path of an absolute path in this box, with {@code /} separators and the name as it
     * is on disk (normalising it here would make an NFD name on disk look deleted), or {@code null} if
     * outside the box or inside its state folder.
     */
    public String relative(Path absolute) {
        if (!absolute.startsWith(root) || absolute.equals(root)) {
            return null;
        }
        String rel = root.relativize(absolute).toString().replace(File.separatorChar, '/');
        return rel.equals(PathSafety.STATE_DIR) || rel.startsWith(PathSafety.STATE_DIR + "/") ? null : rel;
    }

    /**
     * Whether the box is there to be read: its folder and the state folder created at start both exist.
     * An unmounted disk or a removed folder must pause the box, never read as "everything was deleted".
     */
    public boolean available() {
        return !blocked && Files.isDirectory(stateDir());
    }

    /** Pauses the box for the rest of this run (its ignore rules cannot be read). */
    void block() {
        blocked = true;
    }

    /** Whether the box is paused for the rest of this run. */
    public boolean blocked() {
        return blocked;
    }

    public Path resolve(String relative) {
        return root.resolve(relative);
    }

    /**
     * Reads the box's {@code .flocksyignore} again.
     *
     * @throws IOException naming the file and line of a bad pattern; the rules in force stay as they were
     */
    void loadIgnoreRules() throws IOException {
        IgnoreRules rules = IgnoreRules.load(root);
        Path inForce = stateDir().resolve(IGNORE_IN_FORCE);
        byte[] text = rules.text();
        if (text == null) {
            Files.deleteIfExists(inForce);
        } else {
            // The very bytes these rules came from, kept: a bad edit (here, or from any member) cannot stop the box
            // at the next start. Only once they are kept do the rules take effect.
            Path temp = tmpDir().resolve(IGNORE_IN_FORCE + ".part");
            Files.write(temp, text);
            Files.move(temp, inForce, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        ignoreRules = rules;
    }

    /**
     * The rules last in force here, for a start at which the ignore file cannot be used.
     *
     * @return false if there are none (a box that never had good rules)
     */
    boolean loadIgnoreRulesInForce() {
        Path inForce = stateDir().resolve(IGNORE_IN_FORCE);
        try {
            if (Files.exists(inForce)) {
                ignoreRules = IgnoreRules.read(inForce);
                return true;
            }
        } catch (IOException e) {
            // Unusable too: the box stays paused.
        }
        return false;
    }

    /** Whether a path is left out of syncing here (the box's ignore rules, or the state folder). */
    boolean ignores(String relative) {
        boolean directory = Files.isDirectory(resolve(relative), LinkOption.NOFOLLOW_LINKS);
        BoxIndex.Entry known = entries.get(relative);
        return ignoreRules.ignores(relative, directory || (known != null && known.directory()));
    }

    /** Whether a path known to be a file (or link) is ignored: {@link #ignores} without looking at the disk. */
    boolean ignoresFile(String relative) {
        return ignoreRules.ignores(relative, false);
    }

    /** How this box treats symbolic links. */
    public LinkMode links() {
        return links;
    }

    void links(LinkMode mode) {
        links = mode;
    }

    /**
     * The stamp of what is at {@code absolute} in this box, links treated as the box's mode says; a link
     * synced as a link that leads out of the box counts as nothing (its target would mean something else,
     * or nothing, on other nodes).
     */
    Stamp stamp(Path absolute) throws IOException {
        LinkMode mode = links == LinkMode.FOLLOW && intoBox(absolute) ? LinkMode.COPY : links;
        Stamp s = Stamp.read(absolute, mode);
        return s != null && s.link() && leavesBox(absolute) ? null : s;
    }

    /**
     * Whether {@code path} is a link to something inside this box. Followed, it would sync the same files
     * twice (or forever, if it points at a folder above itself): such links are synced as links in every mode
     * but {@link LinkMode#IGNORE}.
     */
    boolean intoBox(Path path) {
        if (!Files.isSymbolicLink(path)) {
            return false;
        }
        try {
            return path.toRealPath().startsWith(root.toRealPath());
        } catch (IOException e) {
            // Dangling: a link if its text stays in the box (its target may be on its way), else nothing.
            try {
                return inside(path.getParent(), Files.readSymbolicLink(path).toString());
            } catch (IOException | RuntimeException unreadable) {
                return false;
            }
        }
    }

    /** The BLAKE2b-256 of an entry's content: a link's target text, a file's bytes. */
    byte[] hash(Path absolute, Stamp stamp, Blake2b blake2b) throws IOException {
        return stamp.link() ? blake2b.hash256(Stamp.target(absolute)) : blake2b.hash256(absolute);
    }

    /** Whether a link's target, read from where the link is, is outside the box or inside its state folder. */
    boolean leavesBox(Path link) throws IOException {
        Path target = Files.readSymbolicLink(link);
        boolean out = !inside(link.getParent(), target.toString());
        String rel = relative(link);
        if (out && rel != null && linksOut.add(rel)) {
            String why = target.isAbsolute() && target.normalize().startsWith(root)
                    ? "its target is an absolute path, which names another place on other nodes (a relative link syncs)"
                    : "it leads out of the box (symlinks = " + name + ":follow syncs what it points to)";
            log.warn("box '{}': not syncing link {} -> {}: {}", name, rel, target, why);
        }
        return out;
    }

    /** Whether a link target written in {@code dir} stays in the box: relative, and not up and out of it. */
    boolean inside(Path dir, String target) {
        Path t;
        try {
            t = Path.of(target);
        } catch (InvalidPathException e) {
            return false;
        }
        if (t.isAbsolute()) {
            return false;
        }
        // ".." only at the start: after a name it would step back from wherever that name leads (another link),
        // which text alone cannot tell.
        boolean named = false;
        for (Path part : t) {
            boolean up = part.toString().equals("..");
            if (up && named) {
                return false;
            }
            named |= !up && !part.toString().equals(".");
        }
        Path base = dir;
        try {
            base = dir.toRealPath();
        } catch (IOException e) {
            // Not made yet: its parents are checked when they are.
        }
        Path resolved = base.resolve(t).normalize();
        Path realRoot = root;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            // The root is there while the box is in use.
        }
        return resolved.startsWith(realRoot) && !resolved.startsWith(realRoot.resolve(PathSafety.STATE_DIR));
    }

    /** Opens the box's index in its state folder and loads what this node had at its last run. */
    void open() throws IOException {
        index = BoxIndex.open(stateDir().resolve("index.db"));
        index.load().values().forEach(this::remember);
    }

    void close() {
        if (index != null) {
            index.close();
        }
    }

    /** The stamp of what this node has at {@code relative}, or {@code null} (nothing, or deleted). */
    public Stamp known(String relative) {
        BoxIndex.Entry e = entries.get(relative);
        return e == null || e.deleted() ? null : new Stamp(e.directory(), e.size(), e.mtimeMs(), e.mode(), e.inode());
    }

    /**
     * This node's spelling of a name received in NFC: the same name in another Unicode form (macOS and
     * some Linux tools write NFD) is the same file, whether the index or only the disk knows it.
     */
    String localName(String wirePath) {
        if (entries.containsKey(wirePath) || wirePath.chars().allMatch(ch -> ch < 0x80)) {
            return wirePath;
        }
        String known = otherForms.get(wirePath);
        if (known != null) {
            return known;
        }
        int slash = wirePath.lastIndexOf('/');
        String parent = slash < 0 ? "" : localName(wirePath.substring(0, slash));
        String name = wirePath.substring(slash + 1);
        Path dir = parent.isEmpty() ? root : root.resolve(parent);
        String found = name;
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(dir)) {
                found = children.map(p -> p.getFileName().toString()).filter(n -> PathSafety.canonical(n).equals(name))
                        .findFirst().orElse(name);
            } catch (IOException e) {
                // Unreadable folder: the name as received; writing there will report the problem.
            }
        }
        return parent.isEmpty() ? found : parent + "/" + found;
    }

    /** The content hash of the file this node has at {@code relative}, or {@code null}. */
    byte[] knownHash(String relative) {
        BoxIndex.Entry e = entries.get(relative);
        return e == null || e.deleted() ? null : e.hash();
    }

    /** The index entry at {@code relative}, tombstones included, or {@code null}. */
    BoxIndex.Entry entry(String relative) {
        return entries.get(relative);
    }

    /** Records a version of an entry this node now has on disk. */
    void record(String relative, Stamp stamp, byte[] hash, VersionVector version, NodeUid writer) throws IOException {
        put(new BoxIndex.Entry(relative, stamp.directory(), stamp.size(), stamp.mtimeMs(), stamp.mode(),
                stamp.directory() ? null : hash, version, writer, false, stamp.inode()));
    }

    /**
     * Records that the entry is deleted in {@code version} (a tombstone, kept to tell old news from new), with
     * the time it was recorded here in place of an mtime: tombstones are forgotten after {@link #TOMBSTONES_KEPT_MS}.
     */
    void recordDeleted(String relative, VersionVector version, NodeUid writer) throws IOException {
        BoxIndex.Entry was = entries.get(relative);
        put(new BoxIndex.Entry(relative, was != null && was.directory(), 0, wallMs.getAsLong(), 0, null, version, writer, true, 0));
    }

    /**
     * Forgets tombstones recorded more than {@link #TOMBSTONES_KEPT_MS} ago, as Syncthing forgets deleted files
     * after 15 months: an index must not grow with every deletion for good. A node away for longer may bring such
     * a file back. Tombstones from before they carried their time are given the time now.
     *
     * @return how many were forgotten
     */
    int forgetOldTombstones() throws IOException {
        long now = wallMs.getAsLong();
        List<BoxIndex.Entry> old = entries.values().stream()
                .filter(e -> e.deleted() && e.mtimeMs() > 0 && now - e.mtimeMs() > TOMBSTONES_KEPT_MS).toList();
        List<BoxIndex.Entry> undated = entries.values().stream().filter(e -> e.deleted() && e.mtimeMs() <= 0).toList();
        if (old.isEmpty() && undated.isEmpty()) {
            return 0;
        }
        index.batch(() -> {
            for (BoxIndex.Entry e : old) {
                index.delete(e.path());
                entries.remove(e.path());
                otherForms.remove(PathSafety.canonical(e.path()), e.path());
            }
            for (BoxIndex.Entry e : undated) {
                put(new BoxIndex.Entry(e.path(), e.directory(), 0, now, 0, null, e.version(), e.writer(), true, 0));
            }
        });
        return old.size();
    }

    /** Where the time of day comes from: the kernel's clock once the box is opened. */
    void clock(LongSupplier wallMs) {
        this.wallMs = wallMs;
    }

    private void put(BoxIndex.Entry e) throws IOException {
        index.put(e);
        remember(e);
    }

    private void remember(BoxIndex.Entry e) {
        entries.put(e.path(), e);
        String canonical = PathSafety.canonical(e.path());
        if (!canonical.equals(e.path())) {
            otherForms.put(canonical, e.path());
        }
    }

    /** Where replaced and deleted files go: the box's {@code .flocksy/versions}. */
    public Path versionsDir() {
        return stateDir().resolve("versions");
    }

    /** The box's stored versions, for the kernel and the shell. */
    public Versions versions() {
        return versions;
    }

    void versions(Versions versions) {
        this.versions = versions;
    }

    /** The id this copy of the box counts its versions under: new with every new index. */
    NodeUid replica() {
        return index.replica();
    }

    /** Remembers a conflict this node settled without asking anyone (see {@link BoxIndex.Settled}). */
    void settled(BoxIndex.Settled conflict) throws IOException {
        index.settled(conflict);
    }

    /** The conflicts settled here since {@code sinceMs}, oldest first; none while the box is not open. */
    public List<BoxIndex.Settled> settledSince(long sinceMs) throws IOException {
        return index == null ? List.of() : index.settledSince(sinceMs);
    }

    /** Runs several index writes as one transaction. */
    void batch(BoxIndex.Batch work) throws IOException {
        index.batch(work);
    }

    /** Known entries at or below {@code relative} (a deleted directory takes them all with it). */
    public Set<String> knownUnder(String relative) {
        String prefix = relative + "/";
        return entries.values().stream().filter(e -> !e.deleted())
                .map(BoxIndex.Entry::path).filter(k -> k.equals(relative) || k.startsWith(prefix))
                .collect(Collectors.toSet());
    }

    /** Paths this node has (tombstones excluded). */
    public Set<String> knownPaths() {
        return entries.values().stream().filter(e -> !e.deleted()).map(BoxIndex.Entry::path).collect(Collectors.toSet());
    }

    /** Every entry, tombstones included: what a digest of this box lists. */
    Collection<BoxIndex.Entry> entries() {
        return Collections.unmodifiableCollection(entries.values());
    }

    /**
     * The regular files and directories at or below {@code start} now, by relative path (the box's root,
     * its state folder and ignored paths excluded; links and other special files are not synced).
     *
     * @throws IOException if any part of the tree could not be read: a partial scan must not count as deletions
     */
    public Map<String, Stamp> scan() throws IOException {
        return scan(root);
    }

    public Map<String, Stamp> scan(Path start) throws IOException {
        return scan(start, (rel, stamp) -> false);
    }

    /** As {@link #scan(Path)}, but {@code divert} may take a file or folder as the walk finds it: then it is not in the result. */
    Map<String, Stamp> scan(Path start, BiPredicate<String, Stamp> divert) throws IOException {
        return new BoxWalk(this, divert).walk(start);
    }

    /** Whether the ignore rules in force leave {@code relative} out, as a folder or not. */
    boolean ignoredByRules(String relative, boolean directory) {
        return ignoreRules.ignores(relative, directory);
    }

    /** Whether a link leading into a folder that contains it is news (logged once per path). */
    boolean firstLoopAt(String relative) {
        return linksOut.add(relative);
    }
}
