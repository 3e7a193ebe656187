package org.flocksy.core.sim;

import java.util.List;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.scheduler.EmissionSchedule;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.Status;

/** The daemon's emission schedule driven by virtual time, sending into the simulated network. */
final class SimEmitter {
    private final SimWorld world;
    private final SimNetwork network;
    private final Clock clock;
    private final Traffic traffic;
    private final EmissionSchedule schedule;
    private volatile int slotsPerChunk = 1;
    private int node;
    private Emitter.HeartbeatSource heartbeats;
    private long wakeToken;
    private boolean alive = true;
    private boolean silentInBulk;
    private boolean neverAcknowledges;

    SimEmitter(SimWorld world, SimNetwork network, Clock clock, Traffic traffic, FlockTiming timing) {
        this.world = world;
        this.network = network;
        this.clock = clock;
        this.traffic = traffic;
        this.schedule = new EmissionSchedule(timing, world.split(), world.now(), this::wake);
    }

    void start(int nodeIndex, Emitter.HeartbeatSource source) {
        this.node = nodeIndex;
        this.heartbeats = source;
        wake();
    }

    void kill() {
        alive = false;
    }

    /**
     * A disk this many slots slow per chunk: the read-ahead has a chunk ready only every n-th slot, as a
     * disk taking n × 5 ms per 4 KiB read would (digest scenario 3).
     */
    void slowDisk(int slotsPerChunk) {
        this.slotsPerChunk = slotsPerChunk;
    }

    /** What the state machine drives: the schedule, its payloads coming from a disk as slow as set. */
    Emitter emitter() {
        return new Emitter() {
            @Override
            public void startBulk(long startNanos, long slotNanos, BulkSource source) {
                int[] slot = {0};
                schedule.startBulk(startNanos, slotNanos, () -> ++slot[0] % slotsPerChunk == 0 ? source.next() : FakeFile.INSTANCE);
            }

            @Override
            public void stopBulkAfter(long slots) {
                schedule.stopBulkAfter(slots);
            }

            @Override
            public void switchSource(BulkSource source) {
                schedule.switchSource(source);
            }

            @Override
            public void cancelBulk() {
                schedule.cancelBulk();
            }

            @Override
            public boolean bulkActive() {
                return schedule.bulkActive();
            }

            @Override
            public long bulkFramesEmitted() {
                return schedule.bulkFramesEmitted();
            }
        };
    }

    /** Misbehaves as the specification's 410 describes: heartbeats go out, file frames do not. */
    void silentInBulk() {
        silentInBulk = true;
    }

    /** A member that hears every announcement and answers none: its acknowledgements go out as idle heartbeats. */
    void neverAcknowledges() {
        neverAcknowledges = true;
    }

    /** Steps now and schedules the next step; a newer wake-up supersedes older ones. */
    private void wake() {
        long token = ++wakeToken;
        world.schedule(world.now(), () -> step(token));
    }

    private void step(long token) {
        if (!alive || token != wakeToken) {
            return;
        }
        long next = schedule.step(world.now(), clock::wallMillis, heartbeats, frame -> {
            if (silentInBulk && frame.status().isFileFrame()) {
                return;
            }
            if (neverAcknowledges && frame instanceof Heartbeat hb && hb.payload() instanceof Payload.Acknowledgement) {
                frame = new Heartbeat(Status.IDLE, hb.timestampMs(), Payload.NodeList.of(List.of()));
            }
            byte[] bytes = FrameCodec.encode(frame);
            traffic.sent(frame.status(), bytes.length);
            network.send(node, bytes);
        });
        world.schedule(next, () -> step(token));
    }

    /** What the state machine drives; stepping follows it in virtual time. */
    EmissionSchedule schedule() {
        return schedule;
    }
}
