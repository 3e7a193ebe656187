package org.flocksy.core.sync;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.flocksy.core.bundle.BundleReader;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.bundle.Digest;
import org.flocksy.core.bundle.MalformedBundleException;
import org.flocksy.core.bundle.Move;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.ignore.IgnoreRules;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.path.PathSafety;
import org.flocksy.core.version.VersionVector;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives runs into a box: opens each incoming run (or refuses it, receiving it into nothing so the run
 * looks the same), verifies the whole bundle, and applies its records in order, each on its own. Every path
 * from a peer is checked before the disk is touched; a record's version decides whether it is old news,
 * newer than ours, or a conflict.
 */
final class RunApplier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunApplier.class);
    /** Free space a run never takes: the rest of the system (and this node's index) must go on writing. */
    static final long DISK_RESERVE_BYTES = 256L * 1024 * 1024;
    /**
     * Received bundles that may wait to be applied: past them, runs are received into nothing and the box's
     * digest goes out once the queue is empty, so peers send those changes again (disk and open files stay
     * bounded when runs arrive faster than they can be written out).
     */
    static final int WAITING_MAX = 2;
    /** Bundles up to this size are taken in without asking the disk. */
    static final long SMALL_BUNDLE_BYTES = 1024 * 1024;

    private final BoxRegistry boxes;
    private final CatchUp catchUp;
    private final FilePlacer placer;
    private final NewerVersionApplier newer;
    private final ConflictSettler conflicts;
    private final TempFiles temps;
    private final Blake2b blake2b;
    private final ApplyQueue queue;
    /** Boxes that refused a run while the queue was full: their digest goes once it is empty. */
    private final Set<Box> refusedWhileFull = new LinkedHashSet<>();

    RunApplier(BoxRegistry boxes, CatchUp catchUp, FilePlacer placer, NewerVersionApplier newer, ConflictSettler conflicts, TempFiles temps,
               Blake2b blake2b, Loop loop, Runnable whenApplied) {
        this.boxes = boxes;
        this.catchUp = catchUp;
        this.placer = placer;
        this.newer = newer;
        this.conflicts = conflicts;
        this.temps = temps;
        this.blake2b = blake2b;
        this.queue = new ApplyQueue(loop, this::applyRecord,
                box -> boxes.all().contains(box) && !boxes.pausedByUser(box) && boxes.available(box), () -> {
                    refusedWhileFull.stream().filter(boxes.all()::contains).forEach(catchUp::ask);
                    refusedWhileFull.clear();
                    whenApplied.run();
                });
    }

    /** Prepares to receive a run; a run this node cannot apply is received into nothing. */
    IncomingRun open(String peer, RunMetadata metadata) {
        Box box = boxes.byUid(metadata.boxUid()).orElse(null);
        String refusal = box == null ? "no box with that name here" : null;
        if (refusal == null && boxes.pausedByUser(box)) {
            refusal = "the box is paused here";
        }
        if (refusal == null && box.blocked()) {
            refusal = "the box is paused (its " + IgnoreRules.FILE_NAME + " cannot be read)";
        }
        if (refusal == null && !boxes.available(box)) {
            refusal = "the box's folder " + box.root() + " is gone";
        }
        if (refusal == null && queue.waiting() >= WAITING_MAX) {
            refusedWhileFull.add(box);
            refusal = queue.waiting() + " received runs are still being applied here (asked again once they are)";
        }
        if (refusal == null) {
            try {
                Files.createDirectories(box.tmpDir());
                refusal = roomFor(box, metadata.length());
            } catch (IOException e) {
                refusal = "cannot create " + box.tmpDir() + ": " + Problems.describe(e);
            }
        }
        if (refusal != null) {
            log.warn("refusing a run of {} change(s) from {}: {}", metadata.records(), peer, refusal);
            return new IncomingRun(peer, box, metadata, refusal, null, blake2b);
        }
        return new IncomingRun(peer, box, metadata, null, temps.next(box, "in", ".bundle"), blake2b);
    }

    /**
     * Why a bundle of {@code length} bytes cannot be taken in now, or {@code null}: it lands in the box's temp
     * folder whole, and each file is copied out of it once more before it goes, so twice its length must fit
     * with {@link #DISK_RESERVE_BYTES} to spare. A member's run may declare up to 1 TiB; the disk decides. Small
     * bundles are always taken in.
     */
    private static String roomFor(Box box, long length) {
        if (length <= SMALL_BUNDLE_BYTES) {
            // Deletions, metadata and digests free space or take next to none: a nearly full disk must not lose them.
            return null;
        }
        long usable;
        try {
            usable = Files.getFileStore(box.tmpDir()).getUsableSpace();
        } catch (IOException e) {
            // Some container mounts have no file store to ask: a disk that is really full fails the write, into nothing.
            return null;
        }
        if (length > (usable - DISK_RESERVE_BYTES) / 2) {
            return "the bundle (" + length + " bytes) needs twice that on the disk of " + box.tmpDir() + ", which has " + usable
                    + " bytes free";
        }
        return null;
    }

    /**
     * Verifies a complete run's bundle and hands it to the queue that applies its changes in order (the first
     * slice of it now, if nothing waits before it). A change this node refuses (unsafe path, a directory where a
     * file should go) is logged and skipped.
     *
     * @return false if the bundle did not verify and the run must be received again
     */
    boolean apply(IncomingRun run) {
        if (run.refusal() != null) {
            return true;
        }
        Box box = run.box();
        RunMetadata m = run.metadata();
        try {
            run.finish();
            if (Files.size(run.temp()) != m.length() || !Arrays.equals(run.hash(), m.bundleHash())) {
                log.warn("box '{}': the bundle from {} failed verification; receiving it again", box.name(), run.peer());
                run.restart();
                return false;
            }
            queue.add(box, run.peer(), run.handOver(), m.records());
        } catch (IOException e) {
            log.error("box '{}': cannot read the bundle from {}: {}; the box is unchanged", box.name(), run.peer(), Problems.describe(e));
            run.discard();
        }
        return true;
    }

    /** Received bundles not yet fully applied. */
    int waiting() {
        return queue.waiting();
    }

    @Override
    public void close() {
        queue.close();
    }

    private void applyRecord(Box box, String peer, BundleReader reader, BundleReader.Entry e) throws IOException, MalformedBundleException {
        applyChange(box, peer, Received.of(reader, e, blake2b));
    }

    private void applyChange(Box box, String peer, Received entry) throws IOException, MalformedBundleException {
        Change c = entry.change();
        if (c.kind() == Change.Kind.DIGEST) {
            catchUp.compare(box, peer, Digest.decode(smallContent(entry, Outbox.BUNDLE_BYTES_MAX)));
            return;
        }
        if (c.kind() == Change.Kind.MOVED) {
            applyMove(box, peer, entry);
            return;
        }
        String path = c.path();
        String refusal = refusal(box, path);
        if (refusal != null) {
            log.warn("box '{}': refusing {} of '{}' from {}: {}", box.name(), c.kind(), PathSafety.printable(path), peer, refusal);
            return;
        }
        String spelled = box.localName(path);
        if (box.ignores(spelled)) {
            log.debug("box '{}': {} of {} from {} is ignored here", box.name(), c.kind(), path, peer);
            return;
        }
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
                case NEWER -> newer.apply(box, peer, entry, target);
                case CONCURRENT -> conflicts.settle(box, peer, entry, target, disk, local, unannounced);
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
        return refusal != null ? refusal : PathSafety.escape(box.root(), box.localName(path));
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
        // A link is the content of a moved link only: a moved file's bytes are never read through one.
        boolean have = stamp != null && !stamp.directory() && stamp.link() == Stamp.isLink(c.mode()) && stamp.size() == move.size()
                && Arrays.equals(placer.hashOf(box, source, stamp), move.contentHash());
        if (have) {
            applyChange(box, peer, Received.local(file, from, stamp.link(), box.links(), blake2b));
        } else {
            BoxIndex.Entry known = box.entry(box.localName(c.path()));
            VersionVector.Order order = c.version().compareTo(known == null ? VersionVector.EMPTY : known.version());
            if (order == VersionVector.Order.NEWER || order == VersionVector.Order.CONCURRENT) {
                log.info("box '{}': {} moved {} to {}, but that content is not here; asking the group for it", box.name(), peer,
                        PathSafety.printable(move.source()), PathSafety.printable(c.path()));
                catchUp.ask(box);
            }
        }
        Path to = box.resolve(box.localName(c.path()));
        if (have && Files.exists(from, LinkOption.NOFOLLOW_LINKS) && Files.exists(to, LinkOption.NOFOLLOW_LINKS) && Files.isSameFile(from, to)) {
            // A case-only rename on a file system that ignores case: the old name is the new file. Give it the
            // new spelling on disk, else the next scan would find the old one again.
            if (!from.getFileName().toString().equals(to.getFileName().toString())) {
                placer.respell(box, from, to);
            }
            BoxIndex.Entry was = box.entry(source);
            if (gone.version().compareTo(was == null ? VersionVector.EMPTY : was.version()) == VersionVector.Order.NEWER) {
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
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        if (!Arrays.equals(entry.content().copyTo(Channels.newChannel(content)), c.contentHash())) {
            throw new MalformedBundleException("a " + c.kind() + " record does not match its hash");
        }
        return content.toByteArray();
    }
}
