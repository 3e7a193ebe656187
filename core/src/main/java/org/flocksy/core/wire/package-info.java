/**
 * The Flock frames and their byte layouts: 256-byte heartbeats and 4117-byte file frames, big-endian,
 * strictly decoded. The protocol logic never sees bytes, only the records here.
 */
package org.flocksy.core.wire;
