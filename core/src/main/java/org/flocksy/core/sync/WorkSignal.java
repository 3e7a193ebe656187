package org.flocksy.core.sync;

/** How the engine's parts tell the state machine that something waits to be sent (it then asks for the next run). */
final class WorkSignal {
    private Runnable listener = () -> {};

    void listen(Runnable onWork) {
        listener = onWork;
    }

    void raise() {
        listener.run();
    }
}
