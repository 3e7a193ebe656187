package org.flocksy.core.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.flocksy.core.bundle.Change;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.path.PathSafety;
import org.flocksy.core.version.VersionVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out what to send for a queued path from the disk's stamp and the index, on the event loop; the
 * reading and hashing happen later, off the loop. A local change gets a new version: the index's vector
 * bumped by this copy of the box.
 */
final class Planner {
    private static final Logger log = LoggerFactory.getLogger(Planner.class);

    private final BoxRegistry boxes;
    private final NodeUid self;

    Planner(BoxRegistry boxes, NodeUid self) {
        this.boxes = boxes;
        this.self = self;
    }

    /**
     * What to send for one path, or {@code null} when the disk is as the index says and nothing asks to send
     * it again.
     */
    Planned plan(QueuedChange change) throws IOException {
        Box box = change.box();
        String rel = change.path();
        String wirePath = PathSafety.canonical(rel);
        if (wirePath.getBytes(StandardCharsets.UTF_8).length > PathSafety.PATH_BYTES_MAX) {
            log.warn("box '{}': not syncing {}: the path is longer than {} bytes", box.name(), rel, PathSafety.PATH_BYTES_MAX);
            return null;
        }
        if (!boxes.available(box)) {
            return null;
        }
        Path abs = box.resolve(rel);
        Stamp now = box.stamp(abs);
        Stamp known = box.known(rel);
        BoxIndex.Entry entry = box.entry(rel);
        VersionVector base = entry == null ? VersionVector.EMPTY : entry.version();
        if (now == null) {
            if (known != null) {
                return new Planned(change, wirePath, Change.Kind.DELETED, null, null, base.bump(box.replica()), self, true, entry, null);
            }
            return change.resend() && entry != null
                    ? new Planned(change, wirePath, Change.Kind.DELETED, null, null, base, entry.writer(), false, entry, null) : null;
        }
        Change.Kind kind = now.directory() ? Change.Kind.DIRECTORY : Change.Kind.FILE;
        if (now.equals(known)) {
            return change.resend() ? new Planned(change, wirePath, kind, now, entry.hash(), base, entry.writer(), false, entry, null) : null;
        }
        return new Planned(change, wirePath, kind, now, null, base.bump(box.replica()), self, true, entry, null);
    }
}
