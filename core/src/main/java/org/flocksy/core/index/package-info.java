/**
 * The index: what this node has in each box, durably. One SQLite database per box, in the box's own
 * {@code .flocksy/index.db}, so that the knowledge travels with the folder (a USB drive box). Per entry:
 * path, kind, size, mtime, mode, content hash, version vector, writer and a deletion tombstone.
 */
package org.flocksy.core.index;
