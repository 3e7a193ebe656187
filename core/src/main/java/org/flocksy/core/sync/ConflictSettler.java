package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import org.flocksy.api.Conflict;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.Decision;
import org.flocksy.api.FileVersion;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Problems;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.version.VersionVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link ConflictPolicy}'s outcome for two concurrent versions of a path: merges what is the
 * same, lets edits beat deletions and directories beat files, and asks the box's resolver between two
 * contents. The loser is kept beside the winner as a {@link ConflictName conflict copy} (recorded with the
 * version and writer every node gives it) or set aside in the box's versions.
 */
final class ConflictSettler {
    private static final Logger log = LoggerFactory.getLogger(ConflictSettler.class);

    private final BoxRegistry boxes;
    private final LocalChanges changes;
    private final FilePlacer placer;
    private final NewerVersionApplier newer;
    private final Blake2b blake2b;
    private final NodeUid self;
    private final Clock clock;

    ConflictSettler(BoxRegistry boxes, LocalChanges changes, FilePlacer placer, NewerVersionApplier newer, Blake2b blake2b, NodeUid self,
                    Clock clock) {
        this.boxes = boxes;
        this.changes = changes;
        this.placer = placer;
        this.newer = newer;
        this.blake2b = blake2b;
        this.self = self;
        this.clock = clock;
    }

    /**
     * @param disk what is at the path here now, or {@code null}
     * @param local the index entry here, or {@code null}
     * @param unannounced the disk holds an edit this node has not sent yet (it counts as a version of its own)
     */
    void settle(Box box, String peer, Received entry, Path target, Stamp disk, BoxIndex.Entry local, boolean unannounced)
            throws IOException {
        Change c = entry.change();
        String path = c.path();
        VersionVector merged = c.version().merge(local == null ? VersionVector.EMPTY : local.version(), box.replica());
        NodeUid localWriter = unannounced || local == null ? self : local.writer();
        VersionVector mine = local == null ? VersionVector.EMPTY : local.version();
        if (unannounced) {
            mine = mine.bump(box.replica());
        }
        switch (ConflictPolicy.outcome(has(disk), sends(c))) {
            case BOTH_DELETED -> box.recordDeleted(path, merged, c.writer());
            case THEIR_EDIT_WINS -> {
                newer.apply(box, peer, entry, target);
                if (c.kind() != Change.Kind.ATTRIBUTES) {
                    // New attributes of a file deleted here change nothing: no conflict to list.
                    remember(box, path, c.writer(), localWriter, "", "edit beats deletion");
                }
            }
            case BOTH_DIRECTORIES -> {
                boolean theirMode = ConflictPolicy.theirDirectoryModeWins(localWriter, c.writer());
                if (theirMode) {
                    Modes.write(target, c.mode(), box.umask());
                }
                box.record(path, box.stamp(target), null, merged, theirMode ? c.writer() : localWriter);
            }
            case OUR_EDIT_WINS -> {
                log.info("box '{}': {} was deleted on {} and changed here; keeping ours", box.name(), path, peer);
                changes.resend(box, path);
                remember(box, path, localWriter, c.writer(), "", "edit beats deletion");
            }
            case THEIR_DIRECTORY_WINS -> {
                String copy = ConflictName.of(path, disk.mtimeMs(), localWriter);
                moveAside(box, target, copy, mine, localWriter);
                log.warn("box '{}': {} is a directory on {} and was a file here; the file is kept as {}", box.name(), path, peer, copy);
                newer.apply(box, peer, entry, target);
                remember(box, path, c.writer(), localWriter, copy, "directory beats file");
            }
            case OUR_DIRECTORY_WINS -> {
                String copy = ConflictName.of(path, c.mtimeMs(), c.writer());
                log.warn("box '{}': {} is a file on {} and a directory here; their file is kept as {}", box.name(), path, peer, copy);
                boolean theirFile = c.kind() == Change.Kind.FILE;
                if (theirFile && !placer.sameContent(box, copy, box.resolve(copy), c)) {
                    placer.receive(box, peer, entry, box.resolve(copy), copy, c.version(), c.writer());
                }
                box.record(path, disk, null, merged, localWriter);
                changes.resend(box, path);
                remember(box, path, localWriter, c.writer(), theirFile ? copy : "", "directory beats file");
            }
            case CONTENT -> contents(box, peer, entry, target, disk, merged, mine, localWriter);
        }
    }

    private static ConflictPolicy.Has has(Stamp disk) {
        return disk == null ? ConflictPolicy.Has.NOTHING : disk.directory() ? ConflictPolicy.Has.DIRECTORY : ConflictPolicy.Has.FILE;
    }

    private static ConflictPolicy.Sends sends(Change c) {
        return switch (c.kind()) {
            case DELETED -> ConflictPolicy.Sends.DELETION;
            case DIRECTORY -> ConflictPolicy.Sends.DIRECTORY;
            case ATTRIBUTES -> ConflictPolicy.Sends.ATTRIBUTES;
            case FILE -> ConflictPolicy.Sends.FILE;
            case MOVED, DIGEST -> throw new IllegalStateException(c.kind() + " records are taken apart before they are applied");
        };
    }

    /** Two files: identical content merges; otherwise the box's resolver picks the one that keeps the name. */
    private void contents(Box box, String peer, Received entry, Path target, Stamp disk, VersionVector merged, VersionVector mine,
                          NodeUid localWriter) throws IOException {
        Change c = entry.change();
        String path = c.path();
        if (placer.sameContent(box, path, target, c)) {
            if (c.mtimeMs() > disk.mtimeMs()) {
                FilePlacer.setAttributes(box, target, c);
            }
            box.record(path, box.stamp(target), c.contentHash(), merged, c.writer());
            return;
        }
        if (c.kind() == Change.Kind.ATTRIBUTES) {
            log.info("box '{}': new attributes of {} from {} meet other content here; keeping ours", box.name(), path, peer);
            changes.resend(box, path);
            return;
        }
        Path incoming = placer.extract(box, peer, entry);
        if (incoming == null) {
            return;
        }
        try {
            FileVersion ours = new FileVersion(disk.size(), disk.mtimeMs(), localWriter.toString(),
                    HexFormat.of().formatHex(placer.hashOf(box, path, disk)), target);
            FileVersion theirs = new FileVersion(c.size(), c.mtimeMs(), c.writer().toString(),
                    HexFormat.of().formatHex(c.contentHash()), incoming);
            boolean mineFirst = ConflictPolicy.oursFirst(disk.mtimeMs(), localWriter, c.mtimeMs(), c.writer());
            ConflictResolver resolver = boxes.resolver(box);
            Decision decision = decide(box, resolver, new Conflict(box.name(), path, mineFirst ? ours : theirs, mineFirst ? theirs : ours));
            String rule = resolver == null ? "keep-both (the kernel's own)" : resolver.id();
            if (!decision.keepLoserBeside() && !box.versions().keeps()) {
                // Nothing is kept in the versions here: setting the loser aside would lose it.
                decision = Decision.keepBoth(decision.winner());
            }
            boolean theirsWins = (decision.winner() == Decision.Winner.FIRST) != mineFirst;
            if (theirsWins) {
                String copy = ConflictName.of(path, disk.mtimeMs(), localWriter);
                if (decision.keepLoserBeside()) {
                    moveAside(box, target, copy, mine, localWriter);
                } else {
                    box.versions().takeAway(path);
                }
                log.warn("box '{}': {} was changed concurrently by {} and {}; the version from {} wins, the one here is kept {}", box.name(), path,
                        localWriter, c.writer(), peer, decision.keepLoserBeside() ? "as " + copy : "in the versions");
                placer.place(box, peer, incoming, target, path, c, c.version(), c.writer());
                remember(box, path, c.writer(), localWriter, decision.keepLoserBeside() ? copy : "versions", rule);
            } else {
                String copy = ConflictName.of(path, c.mtimeMs(), c.writer());
                log.warn("box '{}': {} was changed concurrently by {} and {}; the version here wins, the one from {} is kept {}", box.name(), path,
                        localWriter, c.writer(), peer, decision.keepLoserBeside() ? "as " + copy : "in the versions");
                if (decision.keepLoserBeside()) {
                    if (!placer.sameContent(box, copy, box.resolve(copy), c)) {
                        // place() keeps whatever had that name in the versions first.
                        placer.place(box, peer, incoming, box.resolve(copy), copy, c, c.version(), c.writer());
                    }
                } else {
                    Files.setLastModifiedTime(incoming, FileTime.fromMillis(c.mtimeMs()));
                    box.versions().takeAway(path, incoming);
                }
                changes.resend(box, path);
                remember(box, path, localWriter, c.writer(), decision.keepLoserBeside() ? copy : "versions", rule);
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
        changes.resend(box, copy);
    }

    /** Lists the conflict among those settled here (the shell's {@code conflicts}); the outcome stands if that fails. */
    private void remember(Box box, String path, NodeUid winner, NodeUid loser, String keptAs, String rule) {
        try {
            box.settled(new BoxIndex.Settled(clock.wallMillis(), path, winner.toString(), loser.toString(), keptAs, rule));
        } catch (IOException e) {
            log.warn("box '{}': cannot list the conflict on {} among the settled ones: {}", box.name(), path, Problems.describe(e));
        }
    }

    /** Asks the box's resolver; one that fails or answers nothing keeps both, the later edit keeping the name. */
    private Decision decide(Box box, ConflictResolver resolver, Conflict conflict) {
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
        return Decision.keepBothLaterWins();
    }
}
