package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.flocksy.core.bundle.BundleWriter;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.bundle.Move;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk work of an outgoing run: hashes what needs hashing, finds renames, copies the files into the
 * bundle, hashing the bundle on the way. Runs off the event loop (a bundle of 8 MiB or one large file takes seconds)
 * and touches neither the index nor the queue: the loop records the result.
 */
final class BundlePreparer {
    private static final Logger log = LoggerFactory.getLogger(BundlePreparer.class);

    /** A change in the bundle and the plan it came from. */
    record Written(Planned planned, Change change) {}

    /**
     * @param changedMeanwhile files that changed while they were read: they wait for their next settle
     * @param deferred changes over the byte limit: the next run takes them
     */
    record Result(Path file, List<Written> written, List<Planned> changedMeanwhile, List<Planned> deferred, List<Planned> restamped,
                  int records, boolean hasContent, long length, byte[] hash) {}

    private final Box box;
    private final Blake2b blake2b;
    private final long bytesMax;
    private final List<Planned> changedMeanwhile = new ArrayList<>();
    /** Files whose inode alone changed, content and times as indexed: recorded again, not sent. */
    private final List<Planned> restamped = new ArrayList<>();

    private BundlePreparer(Box box, Blake2b blake2b, long bytesMax) {
        this.box = box;
        this.blake2b = blake2b;
        this.bytesMax = bytesMax;
    }

    /** Writes the bundle for {@code planned} into {@code file}; on failure the file is deleted. */
    static Result prepare(Box box, List<Planned> planned, Path file, Blake2b blake2b, long bytesMax) throws IOException {
        return new BundlePreparer(box, blake2b, bytesMax).prepare(planned, file);
    }

    private Result prepare(List<Planned> planned, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        List<Planned> ordered = pairMoves(sameContent(planned));
        // Deletions first, children before their directory (a path may become a file or directory again in
        // the same bundle); then the rest, parents before children.
        ordered.sort(Comparator.comparing((Planned p) -> !p.deletion())
                .thenComparing((a, b) -> a.deletion() ? b.orderPath().compareTo(a.orderPath()) : a.wirePath().compareTo(b.wirePath())));
        List<Written> written = new ArrayList<>();
        List<Planned> deferred = new ArrayList<>();
        int records;
        boolean hasContent;
        byte[] hash;
        try (BundleWriter writer = new BundleWriter(file, blake2b)) {
            for (Planned p : ordered) {
                if (sizeOf(p) > RunMetadata.LENGTH_MAX - 64 * 1024) {
                    // No peer would take such a run: say so once per change, and send the rest.
                    log.error("box '{}': {} is {} bytes, more than a run can carry ({} bytes); it is not synced",
                            box.name(), p.key().path(), sizeOf(p), RunMetadata.LENGTH_MAX);
                    continue;
                }
                if (!written.isEmpty() && writer.length() + sizeOf(p) > bytesMax) {
                    deferred.add(p);
                    continue;
                }
                try {
                    write(writer, p, written);
                } catch (IOException e) {
                    // One unreadable file must not hold back the others.
                    log.warn("box '{}': cannot read {}: {}; will retry on its next change", box.name(), p.key().path(), Problems.describe(e));
                }
            }
            records = writer.records();
            hasContent = writer.hasContent();
            hash = writer.hash();
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new Result(file, written, changedMeanwhile, deferred, restamped, records, hasContent, Files.size(file), hash);
    }

    /** A file of the size it had with the same content is a touch or chmod: its content need not travel. */
    private List<Planned> sameContent(List<Planned> planned) {
        List<Planned> result = new ArrayList<>(planned.size());
        for (Planned p : planned) {
            var base = p.base();
            // A path queued to be sent as indexed may never have reached the peers (a first scan's file, a run
            // that failed): its content goes, whatever changed since.
            if (p.kind() == Change.Kind.FILE && p.changed() && !p.key().resend() && base != null && !base.deleted() && !base.directory()
                    && base.hash() != null && base.size() == p.stamp().size()) {
                byte[] hash = hashIfUnchanged(p);
                if (hash == null) {
                    continue;
                }
                if (Arrays.equals(hash, base.hash())) {
                    Stamp indexed = new Stamp(false, base.size(), base.mtimeMs(), base.mode(), base.inode());
                    if (Stamp.sameContentStamp(p.stamp(), indexed)) {
                        restamped.add(p);
                    } else {
                        result.add(p.as(Change.Kind.ATTRIBUTES, hash));
                    }
                    continue;
                }
            }
            result.add(p);
        }
        return result;
    }

    /**
     * Finds renames and moves: a new or changed file with the content of a file deleted in the same batch
     * goes as one {@link Change.Kind#MOVED} record instead of its bytes and the deletion. Only files of a
     * size some deleted file had are hashed.
     */
    private List<Planned> pairMoves(List<Planned> planned) {
        Map<Long, List<Planned>> deletedBySize = new HashMap<>();
        for (Planned p : planned) {
            var was = p.kind() == Change.Kind.DELETED && p.changed() ? p.base() : null;
            if (was != null && !was.deleted() && !was.directory() && !Stamp.isLink(was.mode()) && was.hash() != null && was.size() > 0) {
                deletedBySize.computeIfAbsent(was.size(), k -> new ArrayList<>()).add(p);
            }
        }
        if (deletedBySize.isEmpty()) {
            return new ArrayList<>(planned);
        }
        Set<Planned> consumed = new HashSet<>();
        List<Planned> result = new ArrayList<>(planned.size());
        for (Planned p : planned) {
            // Not onto a former directory: its children's deletions come after the moves, and it would not be empty yet.
            List<Planned> candidates = p.kind() == Change.Kind.FILE && p.changed() && !p.stamp().link()
                    && (p.base() == null || !p.base().directory()) ? deletedBySize.get(p.stamp().size()) : null;
            Planned source = null;
            byte[] hash = null;
            if (candidates != null && !candidates.isEmpty()) {
                hash = hashIfUnchanged(p);
                if (hash == null) {
                    continue;
                }
                for (Planned candidate : candidates) {
                    if (Arrays.equals(candidate.base().hash(), hash)) {
                        source = candidate;
                        break;
                    }
                }
            }
            if (source != null) {
                candidates.remove(source);
                consumed.add(source);
                result.add(p.movedFrom(source, hash));
            } else {
                result.add(p);
            }
        }
        result.removeAll(consumed);
        return result;
    }

    /** The file's content hash, or {@code null} if it changed or went while read (it waits for its next settle). */
    private byte[] hashIfUnchanged(Planned p) {
        Path abs = box.resolve(p.key().path());
        try {
            byte[] hash = box.hash(abs, p.stamp(), blake2b);
            if (p.stamp().equals(box.stamp(abs))) {
                return hash;
            }
        } catch (IOException e) {
            // Gone or unreadable since it was planned: its next event or the next rescan reports it.
        }
        changedMeanwhile.add(p);
        return null;
    }

    private static long sizeOf(Planned p) {
        return p.kind() == Change.Kind.FILE ? p.stamp().size() : 0;
    }

    /** Appends one planned change; a file that changed since it was planned waits for its next settle. */
    private void write(BundleWriter writer, Planned p, List<Written> written) throws IOException {
        Stamp s = p.stamp();
        String path = p.wirePath();
        Path abs = box.resolve(p.key().path());
        switch (p.kind()) {
            case DELETED -> written.add(new Written(p, add(writer, Change.deleted(path, p.version(), p.writer()))));
            case DIRECTORY -> written.add(new Written(p, add(writer, Change.directory(path, s.mode(), p.version(), p.writer()))));
            case ATTRIBUTES -> written.add(new Written(p, add(writer, new Change(Change.Kind.ATTRIBUTES, path, s.mode(), s.mtimeMs(), 0,
                    p.hash(), p.version(), p.writer()))));
            case MOVED -> {
                Planned from = p.source();
                if (!s.equals(box.stamp(abs))) {
                    // Changed since it was hashed: the source's deletion goes alone, the file with its next settle.
                    changedMeanwhile.add(p);
                    write(writer, from, written);
                    return;
                }
                written.add(new Written(p, writer.addMove(path, s.mode(), s.mtimeMs(), new Move(s.size(), p.hash(), from.wirePath(),
                        from.version()), p.version(), p.writer())));
            }
            case FILE -> {
                Change c = null;
                if (s.link()) {
                    // A link synced as a link: its target text is its content.
                    byte[] target = Stamp.target(abs);
                    c = target.length == s.size() && s.equals(box.stamp(abs))
                            ? writer.addContent(Change.Kind.FILE, path, s.mode(), s.mtimeMs(), target, p.version(), p.writer()) : null;
                    if (c == null) {
                        changedMeanwhile.add(p);
                    } else {
                        written.add(new Written(p, c));
                    }
                    return;
                }
                try {
                    c = s.equals(box.stamp(abs))
                            ? writer.addFile(path, s.mode(), s.mtimeMs(), s.size(), abs, p.version(), p.writer(), () -> s.equals(box.stamp(abs)))
                            : null;
                } catch (NoSuchFileException e) {
                    // Deleted since it was planned: its deletion is queued by the watcher.
                }
                if (c == null) {
                    changedMeanwhile.add(p);
                    return;
                }
                written.add(new Written(p, c));
            }
            case DIGEST -> throw new IllegalStateException("digests are not planned changes");
        }
    }

    private static Change add(BundleWriter writer, Change change) throws IOException {
        writer.add(change);
        return change;
    }
}
