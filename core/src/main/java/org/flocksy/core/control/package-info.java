/**
 * The control interface: a local socket only the daemon's user can reach, the commands it answers (the
 * shell's and {@code flocksy ctl}'s) and their client. Every command that reads or changes kernel state
 * runs on the kernel's event loop.
 */
package org.flocksy.core.control;
