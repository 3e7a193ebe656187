package org.flocksy.core.transport;

import jakarta.inject.Inject;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Settings;
import org.flocksy.core.loop.Failure;
import org.flocksy.core.scheduler.EmissionSchedule;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.scheduler.Lateness;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Emits every frame a node sends, on one thread that owns the PUB sockets, at the times its
 * {@link EmissionSchedule} gives. The payload of each slot is taken at that instant, so reading the disk
 * never moves an emission.
 */
public final class FrameScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrameScheduler.class);
    /** The shortest sleep between emissions; what is due meanwhile goes out in one go, at most this late. */
    static final long TICK_NANOS = 1_000_000L;

    private final Failure failure;
    private final Clock clock;
    private final ZmqTransport transport;
    private final Traffic traffic;
    private final String nodeName;
    private final EmissionSchedule schedule;
    private volatile boolean running;
    private volatile Thread thread;

    @Inject
    public FrameScheduler(Clock clock, ZmqTransport transport, Traffic traffic, FlockTiming timing, Settings settings,
                          SplittableRandom random, Failure failure) {
        this.failure = failure;
        this.clock = clock;
        this.transport = transport;
        this.traffic = traffic;
        this.nodeName = settings.nodeName();
        this.schedule = new EmissionSchedule(timing, random, clock.monotonicNanos(), () -> LockSupport.unpark(thread));
    }

    /** Binds the publisher on the scheduler thread and starts emitting heartbeats. */
    public void start(Emitter.HeartbeatSource heartbeats) throws ConfigException, InterruptedException {
        CountDownLatch bound = new CountDownLatch(1);
        ConfigException[] bindFailure = new ConfigException[1];
        running = true;
        thread = new Thread(() -> {
            MDC.put("node", nodeName);
            Publisher publisher;
            try {
                publisher = transport.openPublisher();
            } catch (ConfigException | RuntimeException | Error e) {
                bindFailure[0] = e instanceof ConfigException c ? c
                        : new ConfigException("cannot open the publishing sockets: " + e, e);
                running = false;
                return;
            } finally {
                bound.countDown();
            }
            try (publisher) {
                while (running) {
                    long next = schedule.step(clock.monotonicNanos(), clock::wallMillis, heartbeats, f -> emit(publisher, f));
                    long sleep = next - clock.monotonicNanos();
                    if (sleep > 0) {
                        // At a high rate the slots due within a tick leave together: a wake-up per slot would cost the
                        // kernel more than the frames.
                        LockSupport.parkNanos(this, Math.max(sleep, TICK_NANOS));
                    }
                }
            } catch (RuntimeException | Error e) {
                if (running) {
                    failure.report("the sending thread", e);
                }
            }
        }, "flocksy-send-" + nodeName);
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
        bound.await();
        if (bindFailure[0] != null) {
            throw bindFailure[0];
        }
    }

    /** What the state machine drives: the schedule this thread emits by. */
    public Emitter emitter() {
        return schedule;
    }

    public Lateness lateness() {
        return schedule.lateness();
    }

    private void emit(Publisher publisher, Frame frame) {
        byte[] bytes = FrameCodec.encode(frame);
        publisher.send(bytes);
        traffic.sent(frame.status(), bytes.length);
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
