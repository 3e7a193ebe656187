package org.flocksy.core.fsm;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The originator's data frames that arrived and wait for the event loop. The receive thread never stops
 * draining the sockets (a subscriber that stops reading makes every publisher drop frames for it, and the
 * links into this node would carry fewer bytes than the others: an observer would see who is busy), so while
 * the loop is held up (a large apply, a first scan's recording) frames gather here. Beyond the bound they are
 * dropped on arrival: the carousel repeats them, and the gap they leave lowers the flock's rate. Each
 * {@link Peer} has one more for its other frames (heartbeats, fake file frames), with a bound of its own.
 */
final class DataBacklog {
    /** 64 MiB of 4 KiB chunks: 1.6 s of a 10 000 frames/s run, a fraction of the daemon's 512 MiB heap. */
    static final int FRAMES_MAX = 16_384;

    private final AtomicInteger waiting = new AtomicInteger();
    private final int max;

    DataBacklog() {
        this(FRAMES_MAX);
    }

    DataBacklog(int max) {
        this.max = max;
    }

    /** On the receive thread: whether one more data frame may wait, counted until {@link #taken}. */
    boolean admit() {
        if (waiting.incrementAndGet() > max) {
            waiting.decrementAndGet();
            return false;
        }
        return true;
    }

    /** On the loop, before a batch is handled: its data frames admitted earlier no longer wait. */
    void taken(long frames) {
        waiting.addAndGet((int) -frames);
    }

    int waiting() {
        return waiting.get();
    }
}
