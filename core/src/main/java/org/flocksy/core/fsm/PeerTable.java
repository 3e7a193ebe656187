package org.flocksy.core.fsm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.flocksy.core.config.Keyring;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.crypto.Z85;
import org.flocksy.core.traffic.Traffic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers of this node, in the keystore's order (the transport's index), and which of them are connected:
 * a peer is connected while its last heartbeat is younger than a few periods. Confined to the event loop but
 * for the connected count, which the control interface and tests read from other threads.
 */
final class PeerTable {
    private static final Logger log = LoggerFactory.getLogger(PeerTable.class);

    /** What a look at the peers found. */
    record Update(boolean changed, boolean joined) {}

    private final List<Peer> peers = new ArrayList<>();
    private final Traffic traffic;
    private volatile int connectedCount;

    PeerTable(Keyring keyring, Blake2b blake2b, Traffic traffic) {
        this.traffic = traffic;
        for (Keyring.Peer p : keyring.peers()) {
            peers.add(new Peer(p.endpoint(), NodeUid.ofPublicKey(blake2b, Z85.decodeKey(p.publicKey()))));
        }
    }

    Peer get(int index) {
        return peers.get(index);
    }

    List<Peer> all() {
        return Collections.unmodifiableList(peers);
    }

    int size() {
        return peers.size();
    }

    int connectedCount() {
        return connectedCount;
    }

    List<Peer> connected() {
        return peers.stream().filter(Peer::connected).toList();
    }

    /** Marks each peer connected or gone by the age of its last heartbeat; the traffic counters follow. */
    Update update(long nowNanos, long windowNanos) {
        boolean changed = false;
        boolean joined = false;
        for (Peer p : peers) {
            // A peer whose clock came back within reach missed what ran without it, as a peer that reconnects did.
            if (p.connected() && p.cameBackInStep(Timepoints.inStep(p))) {
                log.info("peer {}'s heartbeats arrive within reach of our clock again: taking it into runs", p);
                joined = true;
            }
            boolean fresh = p.isFresh(nowNanos, windowNanos);
            if (fresh != p.connected()) {
                p.connected(fresh);
                changed = true;
                joined |= fresh;
                int count = (int) peers.stream().filter(Peer::connected).count();
                log.info("peer {} {} ({}/{} connected)", p, fresh ? "connected" : "disconnected", count, peers.size());
            }
        }
        if (changed) {
            connectedCount = (int) peers.stream().filter(Peer::connected).count();
            traffic.connected(connected().stream().map(Peer::endpoint).collect(Collectors.toSet()));
        }
        return new Update(changed, joined);
    }

    /** The UIDs of some peers in the order every node lists them. */
    static List<NodeUid> uids(Collection<Peer> ps) {
        return ps.stream().map(Peer::uid).sorted().toList();
    }
}
