package org.flocksy.core.sync;

import org.flocksy.core.bundle.Change;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.index.BoxIndex;
import org.flocksy.core.version.VersionVector;

/**
 * A local change worked out on the event loop from the disk's stamps and the index, to be written into a
 * bundle off the loop. Immutable: the worker reads it while the loop goes on.
 *
 * @param kind what to send; a {@link Change.Kind#FILE} whose content turns out unchanged goes as
 *     {@link Change.Kind#ATTRIBUTES}, and one with the content of a deleted file as {@link Change.Kind#MOVED}
 * @param hash the content hash, once known
 * @param changed a new local version (recorded once written); otherwise a resend of what the index has
 * @param base the index entry when planned: if it is no longer the entry when the bundle is done, a peer's
 *     run changed the path meanwhile and the bundle is planned again
 * @param source the deletion a {@link Change.Kind#MOVED} change stands for
 */
record Planned(QueuedChange key, String wirePath, Change.Kind kind, Stamp stamp, byte[] hash, VersionVector version,
               NodeUid writer, boolean changed, BoxIndex.Entry base, Planned source) {

    /** Deletions and moves go first: a move empties the folder its source was in. */
    boolean deletion() {
        return kind == Change.Kind.DELETED || kind == Change.Kind.MOVED;
    }

    /** The path that orders a deletion: a move is ordered as the deletion of its source. */
    String orderPath() {
        return source != null ? source.wirePath : wirePath;
    }

    Planned as(Change.Kind other, byte[] contentHash) {
        return new Planned(key, wirePath, other, stamp, contentHash, version, writer, changed, base, null);
    }

    Planned movedFrom(Planned deleted, byte[] contentHash) {
        return new Planned(key, wirePath, Change.Kind.MOVED, stamp, contentHash, version, writer, changed, base, deleted);
    }
}
