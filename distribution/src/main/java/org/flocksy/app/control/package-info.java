/**
 * The commands a person gives a running daemon, declared once as picocli subcommands and run by both the
 * shell and {@code flocksy ctl}: each asks the daemon's control facade and turns the answer into words (or
 * JSON for scripts).
 */
package org.flocksy.app.control;
