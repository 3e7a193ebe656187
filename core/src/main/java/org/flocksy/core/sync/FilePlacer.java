package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.Consumer;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.ignore.IgnoreRules;
import org.flocksy.core.path.PathSafety;
import org.flocksy.core.version.VersionVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts received content into a box without ever showing a half-written file: the content goes to a temp
 * file in the box's {@code .flocksy/tmp}, is checked against its hash and fsynced, gets its mode and mtime and
 * is renamed over the target; what it replaces is kept by the box's backup strategy first. Links are made
 * the same way, and only if they stay inside the box. Nothing is ever written through a link.
 */
final class FilePlacer {
    private static final Logger log = LoggerFactory.getLogger(FilePlacer.class);
    /** A link's target text is at most this long. */
    static final int LINK_TARGET_BYTES_MAX = 4096;

    private final Blake2b blake2b;
    private final NodeUid self;
    private final TempFiles temps;
    /** Told when a box's {@code .flocksyignore} was replaced by a peer's. */
    private final Consumer<Box> ignoreFileReplaced;

    FilePlacer(Blake2b blake2b, NodeUid self, TempFiles temps, Consumer<Box> ignoreFileReplaced) {
        this.blake2b = blake2b;
        this.self = self;
        this.temps = temps;
        this.ignoreFileReplaced = ignoreFileReplaced;
    }

    /** Receives a file record's content at {@code target} (which may be a conflict copy's path). */
    void receive(Box box, String peer, Received entry, Path target, String path, VersionVector version, NodeUid writer) throws IOException {
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
     * Copies a file record's content into a temp file, fsynced and checked against its hash.
     *
     * @return the temp file (the caller deletes it), or {@code null} if the content does not match
     */
    Path extract(Box box, String peer, Received entry) throws IOException {
        Change c = entry.change();
        Path temp = temps.next(box, "in", ".part");
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
    void place(Box box, String peer, Path temp, Path target, String path, Change c, VersionVector version, NodeUid writer)
            throws IOException {
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
        Modes.write(temp, c.mode(), box.umask());
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
            ignoreFileReplaced.accept(box);
        }
    }

    /**
     * A link synced as a link: made beside the box's temp files and renamed into place, like a file. Only
     * where the box copies links, and only if it stays inside the box.
     */
    private void placeLink(Box box, String peer, Path temp, Path target, String path, Change c, VersionVector version, NodeUid writer)
            throws IOException {
        if (box.links() == LinkMode.IGNORE) {
            log.info("box '{}': not making link {} from {}: links are ignored here (symlinks = {}:copy makes them)", box.name(), path, peer,
                    box.name());
            return;
        }
        String text = c.size() > LINK_TARGET_BYTES_MAX ? null : new String(Files.readAllBytes(temp), StandardCharsets.UTF_8);
        if (text == null || text.isEmpty() || text.indexOf('\0') >= 0 || !box.inside(target.getParent(), text)) {
            log.warn("box '{}': refusing link {} from {}: it would lead out of the box", box.name(), PathSafety.printable(path), peer);
            return;
        }
        if (!makeWay(box, target, path, "a link", peer)) {
            return;
        }
        Path link = temps.next(box, "in", ".link");
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
        log.info("box '{}': received link {} -> {} from {}", box.name(), path, PathSafety.printable(text), peer);
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
            } catch (DirectoryNotEmptyException e) {
                log.warn("box '{}': not replacing directory {} with {} from {}: it is not empty", box.name(), path, what, peer);
                return false;
            }
        }
        return true;
    }

    /** Creates missing parent directories and remembers them, so that they are not announced back (echo). */
    void createParents(Box box, Path target) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = target.getParent(); p != null && !p.equals(box.root()) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            box.record(box.relative(p), box.stamp(p), null, VersionVector.EMPTY, self);
        }
    }

    /** Whether the file here already holds the content a change describes. */
    boolean sameContent(Box box, String path, Path target, Change c) throws IOException {
        Stamp local = box.stamp(target);
        if (local == null || local.directory() || local.link() != Stamp.isLink(c.mode())) {
            return false;
        }
        if (c.kind() == Change.Kind.FILE && local.size() != c.size()) {
            return false;
        }
        return Arrays.equals(hashOf(box, path, local), c.contentHash());
    }

    /** Gives a file the mode (less this node's umask) and mtime a change describes. */
    static void setAttributes(Box box, Path target, Change c) throws IOException {
        if (Stamp.isLink(c.mode())) {
            // A link has no mode of its own, and setting a time through it would change what it points to.
            return;
        }
        Modes.write(target, c.mode(), box.umask());
        Files.setLastModifiedTime(target, FileTime.fromMillis(c.mtimeMs()));
    }

    /** The content hash of a local file: the one remembered if the file is as last synced, else read. */
    byte[] hashOf(Box box, String path, Stamp local) throws IOException {
        byte[] known = box.knownHash(path);
        return known != null && local.equals(box.known(path)) ? known : box.hash(box.resolve(path), local, blake2b);
    }

    /** A case-only rename on a file system that ignores case: gives the file its new spelling through a temp name. */
    void respell(Box box, Path from, Path to) throws IOException {
        Path temp = temps.next(box, "case", "");
        Files.move(from, temp, StandardCopyOption.ATOMIC_MOVE);
        Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE);
    }
}
