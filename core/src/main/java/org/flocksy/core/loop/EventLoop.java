package org.flocksy.core.loop;

import jakarta.inject.Inject;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A single thread that runs the kernel's events in order, and timers on the monotonic clock. Watchers,
 * the receive thread and the shell post into it; nothing else mutates protocol or sync state.
 */
public final class EventLoop implements Loop, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    private final ScheduledThreadPoolExecutor executor;
    private final Clock clock;
    private final Failure failure;

    /** A loop whose fatal errors nobody waits for (tests, benchmarks). */
    public EventLoop(Clock clock, Settings settings) {
        this(clock, settings, new Failure());
    }

    @Inject
    public EventLoop(Clock clock, Settings settings, Failure failure) {
        this.clock = clock;
        this.failure = failure;
        String node = settings.nodeName();
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(() -> {
                MDC.put("node", node);
                r.run();
            }, "flocksy-kernel-" + node);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** A task that throws is logged and the loop goes on. */
    @Override
    public void post(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // Closing: late events from other threads are dropped on purpose.
        }
    }

    @Override
    public void at(long atNanos, Runnable task) {
        after(atNanos - clock.monotonicNanos(), task);
    }

    @Override
    public void after(long delayNanos, Runnable task) {
        try {
            executor.schedule(guarded(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closing.
        }
    }

    @Override
    public void every(long periodNanos, Runnable task) {
        try {
            // Fixed delay: after the loop was held up (a large apply), one run follows, not a burst of the missed ones.
            executor.scheduleWithFixedDelay(guarded(task), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closing.
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("kernel event failed: {}", e.toString(), e);
            } catch (Error e) {
                // Out of memory, a broken class path: kernel state may be half-changed, nothing after it can be trusted.
                failure.report("the event loop", e);
                throw e;
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            // An apply in progress finishes (it is not interruptible I/O) before the indexes close after us.
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
