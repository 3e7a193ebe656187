/**
 * The bundle: what a run's 200 frames carry. A stream of change records (a file with its content, a
 * directory, a deletion, new attributes of unchanged content) for one box, described by the run's
 * 130/134/170/174 heartbeat (record count, length, BLAKE2b-256 of the whole stream). One run can so carry
 * many changes (FLOCK.md amendment 1) and every kind of change looks the same on the wire.
 */
package org.flocksy.core.bundle;
