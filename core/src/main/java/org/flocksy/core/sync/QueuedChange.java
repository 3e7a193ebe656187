package org.flocksy.core.sync;

/**
 * A path of a box waiting to be sent.
 *
 * @param resend send what the index has even when the disk did not change (a run that failed, a peer
 *     that lacks it)
 */
record QueuedChange(Box box, String path, boolean resend) {
    QueuedChange(Box box, String path) {
        this(box, path, false);
    }
}
