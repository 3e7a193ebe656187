/**
 * Version vectors: which node made which version of an entry, so that an old version is told from a
 * newer one and two concurrent edits are told from both (FLOCK.md amendment 5).
 */
package org.flocksy.core.version;
