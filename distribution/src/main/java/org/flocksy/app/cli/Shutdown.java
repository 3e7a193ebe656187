package org.flocksy.app.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGINT or SIGTERM, or for the node to fail. Handling the signals ourselves (rather than in a shutdown hook) lets the
 * daemon close its sockets in order and exit with 0, as a service manager expects after a stop.
 */
final class Shutdown {
    private final CountDownLatch signalled = new CountDownLatch(1);

    private Shutdown() {}

    static Shutdown onSignals() {
        Shutdown shutdown = new Shutdown();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> shutdown.signalled.countDown());
        }
        return shutdown;
    }

    /** Ends the wait as a signal would (the node failed). */
    void release() {
        signalled.countDown();
    }

    void await() throws InterruptedException {
        signalled.await();
    }
}
