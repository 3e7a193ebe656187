package org.flocksy.core.loop;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first internal error that leaves this node unable to keep its promises: a ZAP handler that died would
 * let JeroMQ admit any client, a receive thread that died would leave the node heartbeating while it hears
 * no one, and every run would wait for it. The thread that owns the failed part reports it here, once, in
 * one line; the daemon then stops and exits non-zero instead of running on half-alive.
 */
public final class Failure {
    private static final Logger log = LoggerFactory.getLogger(Failure.class);
    private final CompletableFuture<String> first = new CompletableFuture<>();

    /** Records that {@code part} failed with {@code cause}; only the first report counts. */
    public void report(String part, Throwable cause) {
        String reason;
        try {
            reason = part + " failed: " + cause;
        } catch (OutOfMemoryError e) {
            // No memory left even for the message: the part alone still stops the node.
            reason = part;
        }
        if (first.complete(reason)) {
            log.error("{}; stopping the node", reason);
        }
    }

    public boolean failed() {
        return first.isDone();
    }

    /** The first failure, or {@code null}. */
    public String reason() {
        return first.getNow(null);
    }

    /** Runs {@code action} (on the reporting thread) once a failure is reported, or now if one was. */
    public void whenFailed(Runnable action) {
        first.thenRun(action);
    }
}
