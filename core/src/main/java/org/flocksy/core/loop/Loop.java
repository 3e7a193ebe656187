package org.flocksy.core.loop;

/**
 * Where the kernel's events run, one at a time and in order, with timers on the monotonic clock. The
 * daemon runs it on a thread ({@link EventLoop}); the simulator runs it in virtual time.
 */
public interface Loop {
    /** Runs {@code task} after the events already posted. */
    void post(Runnable task);

    /** Runs {@code task} once the monotonic clock reaches {@code atNanos}. */
    void at(long atNanos, Runnable task);

    /** Runs {@code task} after {@code delayNanos}. */
    void after(long delayNanos, Runnable task);

    /**
     * Runs {@code task} every {@code periodNanos}, the first time one period from now; each run comes one period
     * after the previous one ended, so runs missed while the loop was held up are not made up in a burst.
     */
    void every(long periodNanos, Runnable task);
}
