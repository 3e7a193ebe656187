package org.flocksy.app.control;

/** The exit codes scripts can rely on. */
public final class ExitCodes {
    public static final int OK = 0;
    /** A check failed: the demo's file did not arrive in time; the daemon refused a command or could not be reached mid-way. */
    public static final int FAILED = 1;
    /** Bad flags, config, key files or boxes: nothing was written or deleted. */
    public static final int USAGE = 2;
    /** {@code flocksy ctl}: no daemon answers on the control socket. */
    public static final int NOT_RUNNING = 3;
    /** A defect in flocksy; the message asks for a report. */
    public static final int INTERNAL = 70;

    private ExitCodes() {}
}
