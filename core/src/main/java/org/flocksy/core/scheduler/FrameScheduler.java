package org.flocksy.core.scheduler;

import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Settings;
import org.flocksy.core.fsm.FlockTiming;
import org.flocksy.core.transport.Publisher;
import org.flocksy.core.transport.Traffic;
import org.flocksy.core.transport.ZmqTransport;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.Heartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Emits every frame a node sends, on one thread that owns the PUB sockets. Heartbeats follow a period
 * with uniform jitter; during a run, file frames follow a fixed slot grid from the run's start, and the
 * payload of each slot is taken from a {@link BulkSource} at that instant, so reading the disk never moves
 * an emission.
 */
public final class FrameScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrameScheduler.class);
    /** Slots later than this are skipped instead of sent in a burst (after a stall of the whole process). */
    private static final int LATE_SLOTS_MAX = 20;

    /** The heartbeat to send now; called on the scheduler thread with the emission time. */
    @FunctionalInterface
    public interface HeartbeatSource {
        Heartbeat heartbeat(long wallMs);
    }

    /** The payload of the next slot: a data frame if one is ready, else a fake one. Must not block. */
    @FunctionalInterface
    public interface BulkSource {
        Frame next();
    }

    private record Bulk(long startNanos, long stopNanos, BulkSource source) {}

    private final Clock clock;
    private final ZmqTransport transport;
    private final Traffic traffic;
    private final FlockTiming timing;
    private final String nodeName;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private final AtomicLong bulkFrames = new AtomicLong();
    private volatile Bulk bulk;
    private volatile boolean running;
    private Thread thread;

    @Inject
    public FrameScheduler(Clock clock, ZmqTransport transport, Traffic traffic, FlockTiming timing, Settings settings) {
        this.clock = clock;
        this.transport = transport;
        this.traffic = traffic;
        this.timing = timing;
        this.nodeName = settings.nodeName();
    }

    /** Binds the publisher on the scheduler thread and starts emitting heartbeats. */
    public void start(HeartbeatSource heartbeats) throws ConfigException, InterruptedException {
        CountDownLatch bound = new CountDownLatch(1);
        ConfigException[] failure = new ConfigException[1];
        running = true;
        thread = new Thread(() -> {
            MDC.put("node", nodeName);
            Publisher publisher;
            try {
                publisher = transport.openPublisher();
            } catch (ConfigException | RuntimeException e) {
                failure[0] = e instanceof ConfigException c ? c
                        : new ConfigException("cannot open the publishing sockets: " + e, e);
                running = false;
                return;
            } finally {
                bound.countDown();
            }
            try (publisher) {
                loop(publisher, heartbeats);
            } catch (RuntimeException e) {
                log.error("scheduler stopped, this node is silent now: {}", e.toString(), e);
            }
        }, "flocksy-send-" + nodeName);
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
        bound.await();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** From {@code startNanos} on, emit one file frame per slot until stopped. */
    public void startBulk(long startNanos, BulkSource source) {
        bulkFrames.set(0);
        bulk = new Bulk(startNanos, Long.MAX_VALUE, source);
        LockSupport.unpark(thread);
    }

    /** Ends the current run's frames at {@code stopNanos}; no slot at or after it is emitted. */
    public void stopBulkAt(long stopNanos) {
        Bulk b = bulk;
        if (b != null) {
            bulk = new Bulk(b.startNanos, stopNanos, b.source);
            LockSupport.unpark(thread);
        }
    }

    /** Ends the current run's frames now. */
    public void cancelBulk() {
        bulk = null;
    }

    public boolean bulkActive() {
        return bulk != null;
    }

    /** File frames emitted since the current (or last) run started. */
    public long bulkFramesEmitted() {
        return bulkFrames.get();
    }

    private void loop(Publisher publisher, HeartbeatSource heartbeats) {
        long period = timing.heartbeatPeriod().toNanos();
        long jitter = timing.heartbeatJitter().toNanos();
        long slot = timing.framePeriodNanos();
        long nextHeartbeat = clock.monotonicNanos();
        long slotIndex = 0;
        Bulk current = null;
        while (running) {
            long now = clock.monotonicNanos();
            if (now >= nextHeartbeat) {
                emit(publisher, heartbeats.heartbeat(clock.wallMillis()));
                nextHeartbeat += period + random.nextLong(-jitter, jitter + 1);
                if (nextHeartbeat < now) {
                    nextHeartbeat = now + period;
                }
            }
            Bulk b = bulk;
            if (b != current) {
                if (current == null || b == null || b.source != current.source) {
                    slotIndex = 0;
                }
                current = b;
            }
            long wake = nextHeartbeat;
            if (b != null) {
                long due = b.startNanos + slotIndex * slot;
                if (due >= b.stopNanos) {
                    if (bulk == b) {
                        bulk = null;
                    }
                    continue;
                }
                if (now >= due) {
                    if (now - due > LATE_SLOTS_MAX * slot) {
                        slotIndex = (now - b.startNanos) / slot;
                    }
                    emit(publisher, b.source.next());
                    bulkFrames.incrementAndGet();
                    slotIndex++;
                    continue;
                }
                wake = Math.min(wake, due);
            }
            long sleep = wake - clock.monotonicNanos();
            if (sleep > 0) {
                LockSupport.parkNanos(this, sleep);
            }
        }
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
