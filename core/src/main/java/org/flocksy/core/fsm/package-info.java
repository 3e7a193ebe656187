/**
 * The Flock state machine: one node's protocol state, driven by heartbeats, file frames, local work and
 * timers on the kernel's event loop.
 */
package org.flocksy.core.fsm;
