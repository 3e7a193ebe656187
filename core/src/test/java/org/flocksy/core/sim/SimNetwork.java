package org.flocksy.core.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.flocksy.core.wire.FrameCodec;

/**
 * Carries every frame a node emits to every other node, like the PUB/SUB mesh, with loss, delay and
 * partitions from one options record; logs each emission (node, time, size) for the traffic checks.
 */
final class SimNetwork {
    /**
     * @param lossRate probability that one delivery on one link is lost
     * @param delayMinNanos fixed part of a link's delay
     * @param delayJitterNanos uniform extra delay (frames on a link stay in order, as over TCP)
     */
    record Options(double lossRate, long delayMinNanos, long delayJitterNanos) {
        static Options lan() {
            return new Options(0, 200_000, 300_000);
        }
    }

    /** One emitted frame. */
    record Emission(int node, long atNanos, int bytes, int status) {}

    /** Receives frames for one node. */
    interface Receiver {
        void receive(int fromNode, byte[] frame);
    }

    private final SimWorld world;
    private final Options options;
    private final SplittableRandom random;
    private final List<Receiver> receivers = new ArrayList<>();
    private final Set<Long> cut = new HashSet<>();
    private final Map<Long, Long> extraDelay = new HashMap<>();
    private final List<Emission> log = new ArrayList<>();
    private long[][] lastArrival = new long[0][0];

    SimNetwork(SimWorld world, Options options) {
        this.world = world;
        this.options = options;
        this.random = world.split();
    }

    int attach(Receiver receiver) {
        receivers.add(receiver);
        lastArrival = new long[receivers.size()][receivers.size()];
        return receivers.size() - 1;
    }

    /** Cuts (or heals) both directions between two nodes. */
    void partition(int a, int b, boolean isCut) {
        for (long key : new long[] {key(a, b), key(b, a)}) {
            if (isCut) {
                cut.add(key);
            } else {
                cut.remove(key);
            }
        }
    }

    /** Adds a fixed delay to one direction of one link (an asymmetric route skews clock estimates). */
    void delay(int from, int to, long extraNanos) {
        extraDelay.put(key(from, to), extraNanos);
    }

    /**
     * Someone on the path who holds back or drops what one node sends or receives, deciding frame by frame: an
     * extra delay in nanoseconds, or a negative value to drop the frame. Frames of a link stay in order (TCP
     * delivers in order, so reordering segments only delays what follows them).
     */
    interface Adversary {
        long extraNanos(int from, int to, long nowNanos, SplittableRandom random);
    }

    private Adversary adversary = (from, to, now, random) -> 0;

    void adversary(Adversary adversary) {
        this.adversary = adversary;
    }

    private final Map<Integer, List<byte[]>> heartbeats = new HashMap<>();

    List<Emission> log() {
        return log;
    }

    /** Every heartbeat a node sent, as bytes: what a member who recorded the group's traffic could replay. */
    List<byte[]> heartbeatsOf(int node) {
        return heartbeats.getOrDefault(node, List.of());
    }

    /** Delivers {@code frame} to {@code to} now as if {@code from} had sent it (a replay inside the encryption). */
    void inject(int from, int to, byte[] frame) {
        Receiver receiver = receivers.get(to);
        world.schedule(world.now(), () -> receiver.receive(from, frame));
    }

    void send(int from, byte[] frame) {
        int status = (frame[0] - '0') * 100 + (frame[1] - '0') * 10 + (frame[2] - '0');
        log.add(new Emission(from, world.now(), frame.length, status));
        if (frame.length == FrameCodec.HEARTBEAT_BYTES) {
            heartbeats.computeIfAbsent(from, n -> new ArrayList<>()).add(frame);
        }
        for (int to = 0; to < receivers.size(); to++) {
            if (to == from || cut.contains(key(from, to)) || random.nextDouble() < options.lossRate()) {
                continue;
            }
            long added = adversary.extraNanos(from, to, world.now(), random);
            if (added < 0) {
                continue;
            }
            long delay = options.delayMinNanos() + (options.delayJitterNanos() > 0 ? random.nextLong(options.delayJitterNanos()) : 0)
                    + extraDelay.getOrDefault(key(from, to), 0L) + added;
            long arrival = Math.max(world.now() + delay, lastArrival[from][to]);
            lastArrival[from][to] = arrival;
            Receiver receiver = receivers.get(to);
            world.schedule(arrival, () -> receiver.receive(from, frame));
        }
    }

    private static long key(int from, int to) {
        return ((long) from << 32) | to;
    }
}
