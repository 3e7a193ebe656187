package org.flocksy.app.cli;

/** The exit codes scripts can rely on. */
final class ExitCodes {
    static final int OK = 0;
    /** A check failed: the demo's file did not arrive in time; a {@code ctl} command did not do what was asked. */
    static final int FAILED = 1;
    /** Bad flags, config, key files or boxes: nothing was written or deleted. */
    static final int USAGE = 2;
    /** {@code flocksy ctl}: no daemon answers on the control socket. */
    static final int NOT_RUNNING = 3;
    /** A defect in flocksy; the message asks for a report. */
    static final int INTERNAL = 70;

    private ExitCodes() {}
}
