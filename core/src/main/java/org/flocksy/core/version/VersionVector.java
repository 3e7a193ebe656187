package org.flocksy.core.version;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.flocksy.core.crypto.NodeUid;

/**
 * A counter per replica (a random id each box's index is created with, see {@code BoxIndex}), bumped by the
 * replica that makes a local change. Immutable. A version whose vector
 * is dominated is old news; two vectors neither of which dominates are concurrent edits, a conflict.
 */
public final class VersionVector {
    /** How two vectors relate. */
    public enum Order { EQUAL, NEWER, OLDER, CONCURRENT }

    /**
     * The most entries a vector has: one read from a peer with more is refused, and a bump or merge that would
     * pass it drops the smallest counters first (see {@link #bounded}).
     */
    public static final int NODES_MAX = 128;
    /** Larger counters are refused from peers: bumping them can never overflow. */
    static final long COUNTER_MAX = 1L << 60;
    public static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    private final TreeMap<NodeUid, Long> counters;

    private VersionVector(TreeMap<NodeUid, Long> counters) {
        this.counters = counters;
    }

    /** This version, changed by {@code node}. */
    public VersionVector bump(NodeUid node) {
        TreeMap<NodeUid, Long> next = new TreeMap<>(counters);
        next.merge(node, 1L, Long::sum);
        return bounded(next, node);
    }

    /** The least vector that dominates or equals both (within {@link #NODES_MAX}): what a node has seen after resolving them. */
    public VersionVector merge(VersionVector other) {
        return merge(other, null);
    }

    /**
     * As {@link #merge(VersionVector)}, never dropping {@code keep}'s counter: a replica that merges must keep its
     * own, or its next bump would start again at 1 and reuse a version peers have already seen.
     */
    public VersionVector merge(VersionVector other, NodeUid keep) {
        TreeMap<NodeUid, Long> next = new TreeMap<>(counters);
        other.counters.forEach((node, count) -> next.merge(node, count, Math::max));
        return bounded(next, keep);
    }

    /**
     * A vector of at most {@link #NODES_MAX} entries: past that, the smallest counters go (the lowest UID first
     * among equals, so every node compacts alike), never {@code keep}'s. A member that sent a full vector of
     * made-up replicas once made every later edit of that file a vector peers refuse to read: the edit was
     * never delivered, and no digest could repair it. Dropping an entry can only make a later comparison say
     * CONCURRENT where it would have said NEWER: a conflict, resolved and delivered, never a lost edit.
     */
    private static VersionVector bounded(TreeMap<NodeUid, Long> counters, NodeUid keep) {
        while (counters.size() > NODES_MAX) {
            NodeUid smallest = null;
            long least = Long.MAX_VALUE;
            for (Map.Entry<NodeUid, Long> e : counters.entrySet()) {
                if (!e.getKey().equals(keep) && e.getValue() < least) {
                    smallest = e.getKey();
                    least = e.getValue();
                }
            }
            counters.remove(smallest);
        }
        return new VersionVector(counters);
    }

    /** How this vector relates to {@code other}: NEWER means this one dominates. */
    public Order compareTo(VersionVector other) {
        boolean ahead = false;
        boolean behind = false;
        TreeMap<NodeUid, Long> all = new TreeMap<>(counters);
        other.counters.forEach(all::putIfAbsent);
        for (NodeUid node : all.keySet()) {
            long mine = counters.getOrDefault(node, 0L);
            long theirs = other.counters.getOrDefault(node, 0L);
            ahead |= mine > theirs;
            behind |= mine < theirs;
        }
        if (ahead && behind) {
            return Order.CONCURRENT;
        }
        return ahead ? Order.NEWER : behind ? Order.OLDER : Order.EQUAL;
    }

    public Map<NodeUid, Long> counters() {
        return Collections.unmodifiableMap(counters);
    }

    /** Bytes: count u8 · (node UID 16 · counter u64) per node, in UID order. */
    public byte[] toBytes() {
        if (counters.size() > 255) {
            throw new IllegalStateException("a version vector of " + counters.size() + " entries cannot be written");
        }
        ByteBuffer out = ByteBuffer.allocate(1 + counters.size() * (NodeUid.BYTES + 8));
        out.put((byte) counters.size());
        counters.forEach((node, count) -> out.put(node.toBytes()).putLong(count));
        return out.array();
    }

    /**
     * Reads a vector written by {@link #toBytes}.
     *
     * @throws IllegalArgumentException on a short buffer, a repeated node or a counter below 1
     */
    public static VersionVector read(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("no version vector");
        }
        int n = Byte.toUnsignedInt(in.get());
        if (n > NODES_MAX) {
            throw new IllegalArgumentException("version vector of " + n + " nodes");
        }
        if (in.remaining() < n * (NodeUid.BYTES + 8)) {
            throw new IllegalArgumentException("version vector of " + n + " nodes does not fit");
        }
        TreeMap<NodeUid, Long> counters = new TreeMap<>();
        byte[] uid = new byte[NodeUid.BYTES];
        for (int i = 0; i < n; i++) {
            in.get(uid);
            long count = in.getLong();
            if (count < 1 || count > COUNTER_MAX || counters.put(NodeUid.of(uid), count) != null) {
                throw new IllegalArgumentException("version vector with a repeated node or a counter out of range");
            }
        }
        return new VersionVector(counters);
    }

    public static VersionVector fromBytes(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        VersionVector v = read(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("bytes after the version vector");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && counters.equals(v.counters);
    }

    @Override
    public int hashCode() {
        return counters.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        counters.forEach((node, count) -> s.append(s.length() > 1 ? ", " : "").append(node.shortId()).append(':').append(count));
        return s.append('}').toString();
    }
}
