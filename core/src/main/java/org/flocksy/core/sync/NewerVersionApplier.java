package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.flocksy.core.bundle.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a peer's version that includes everything this node has at a path: it replaces what is there. A
 * file or directory it replaces or deletes goes to the box's versions first; a directory that still holds
 * files the sender did not know stays.
 */
final class NewerVersionApplier {
    private static final Logger log = LoggerFactory.getLogger(NewerVersionApplier.class);

    private final FilePlacer placer;

    NewerVersionApplier(FilePlacer placer) {
        this.placer = placer;
    }

    void apply(Box box, String peer, Received entry, Path target) throws IOException {
        Change c = entry.change();
        switch (c.kind()) {
            case FILE -> file(box, peer, entry, target);
            case DIRECTORY -> directory(box, peer, c, target);
            case DELETED -> deletion(box, peer, entry, target);
            case ATTRIBUTES -> attributes(box, peer, c, target);
            case MOVED, DIGEST -> throw new IllegalStateException(c.kind() + " records are taken apart before they are applied");
        }
    }

    private void file(Box box, String peer, Received entry, Path target) throws IOException {
        Change c = entry.change();
        if (placer.sameContent(box, c.path(), target, c)) {
            FilePlacer.setAttributes(box, target, c);
            box.record(c.path(), box.stamp(target), c.contentHash(), c.version(), c.writer());
        } else {
            placer.receive(box, peer, entry, target, c.path(), c.version(), c.writer());
        }
    }

    private void directory(Box box, String peer, Change c, Path target) throws IOException {
        String path = c.path();
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
        placer.createParents(box, target);
        if (Files.notExists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(target);
            log.info("box '{}': created directory {} (from {})", box.name(), path, peer);
        }
        Modes.write(target, c.mode(), box.umask());
        box.record(path, box.stamp(target), null, c.version(), c.writer());
    }

    private void deletion(Box box, String peer, Received entry, Path target) throws IOException {
        Change c = entry.change();
        String path = c.path();
        if (box.entry(path) == null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            // Never here: nothing to delete, and no tombstone either, or a member's deletions of made-up paths
            // would grow the index without bound. A stale copy from another node may come back once; the
            // deleting node's digest takes it away again.
            return;
        }
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
            } catch (DirectoryNotEmptyException e) {
                log.warn("box '{}': keeping directory {} deleted by {}: it holds files {} did not know", box.name(), path, peer, peer);
                return;
            }
        }
        box.recordDeleted(path, c.version(), c.writer());
    }

    private void attributes(Box box, String peer, Change c, Path target) throws IOException {
        String path = c.path();
        if (!placer.sameContent(box, path, target, c)) {
            log.info("box '{}': not applying new attributes of {} from {}: the content here differs", box.name(), path, peer);
            return;
        }
        FilePlacer.setAttributes(box, target, c);
        box.record(path, box.stamp(target), c.contentHash(), c.version(), c.writer());
        log.info("box '{}': new attributes of {} (from {})", box.name(), path, peer);
    }
}
