package org.flocksy.core.traffic;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.flocksy.core.wire.Status;

/**
 * Frames and bytes a node sent (by kind, and per peer) and received (by peer), for operators and for the
 * anonymity checks. Bytes are plaintext Flock bytes. One publishing socket sends each frame to every
 * subscriber, so a peer's sent counters are the frames sent while the state machine counted it connected.
 */
public final class Traffic {
    /** What a sent frame was. */
    public enum Kind { HEARTBEAT, DATA, FAKE }

    /** Counters of one direction. */
    public static final class Counter {
        private final LongAdder frames = new LongAdder();
        private final LongAdder bytes = new LongAdder();

        void add(int length) {
            frames.increment();
            bytes.add(length);
        }

        public long frames() {
            return frames.sum();
        }

        public long bytes() {
            return bytes.sum();
        }
    }

    private final Map<Kind, Counter> sent = new ConcurrentHashMap<>();
    private final Map<String, Counter> received = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private final Map<String, Map<Kind, Counter>> sentTo = new ConcurrentHashMap<>();
    // Replaced whole by the state machine's thread, read by the sending thread.
    private volatile Set<String> connected = Set.of();

    public void sent(Status status, int length) {
        Kind kind = switch (status) {
            case FILE_DATA -> Kind.DATA;
            case FAKE_FILE -> Kind.FAKE;
            default -> Kind.HEARTBEAT;
        };
        sent.computeIfAbsent(kind, k -> new Counter()).add(length);
        for (String peer : connected) {
            sentTo(peer, kind).add(length);
        }
    }

    /** The peers that receive what is sent from now on. */
    public void connected(Set<String> peers) {
        connected = Set.copyOf(peers);
    }

    public void received(String peer, int length) {
        received.computeIfAbsent(peer, k -> new Counter()).add(length);
    }

    public void dropped(String reason) {
        dropped.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public Counter sent(Kind kind) {
        return sent.computeIfAbsent(kind, k -> new Counter());
    }

    /** What was sent of one kind while {@code peer} was connected. */
    public Counter sentTo(String peer, Kind kind) {
        return sentTo.computeIfAbsent(peer, k -> new ConcurrentHashMap<>()).computeIfAbsent(kind, k -> new Counter());
    }

    public Counter receivedFrom(String peer) {
        return received.computeIfAbsent(peer, k -> new Counter());
    }

    public long droppedCount() {
        return dropped.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long sentFrames() {
        return sent.values().stream().mapToLong(Counter::frames).sum();
    }

    public long sentBytes() {
        return sent.values().stream().mapToLong(Counter::bytes).sum();
    }
}
