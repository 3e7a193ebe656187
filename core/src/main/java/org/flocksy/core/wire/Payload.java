package org.flocksy.core.wire;

import java.util.List;
import org.flocksy.core.crypto.NodeUid;

/** What a heartbeat carries after its timestamp; the status code decides which. */
public sealed interface Payload permits Payload.NodeList, RunMetadata, Payload.Timepoint, Payload.Acknowledgement {

    /**
     * {@code node-count} and the node UIDs. A heartbeat carries at most {@link FrameCodec#NODE_UIDS_MAX}
     * of them; a longer list goes out in rotating batches ({@link #batch}). For acknowledgements (121,
     * 131, 140, …) flocksy lists the originator being acknowledged, so a late ack of another run can
     * never be counted.
     */
    record NodeList(int count, List<NodeUid> uids) implements Payload {
        public NodeList {
            uids = List.copyOf(uids);
            if (count < 0 || count > 255) {
                throw new IllegalArgumentException("node-count out of range: " + count);
            }
        }

        public static NodeList of(List<NodeUid> uids) {
            return new NodeList(uids.size(), uids);
        }

        /** How many heartbeats it takes to list every UID once. */
        public int batches() {
            return Math.max(1, (uids.size() + FrameCodec.NODE_UIDS_MAX - 1) / FrameCodec.NODE_UIDS_MAX);
        }

        /** The {@code index}-th batch (modulo {@link #batches}) of at most 15 UIDs, with the full count. */
        public NodeList batch(long index) {
            int from = (int) Math.floorMod(index, (long) batches()) * FrameCodec.NODE_UIDS_MAX;
            return new NodeList(count, uids.subList(from, Math.min(uids.size(), from + FrameCodec.NODE_UIDS_MAX)));
        }
    }

    /**
     * The payload of 121, 125, 161 and 165: the originator acknowledged, and the fastest rate at which this node
     * can take part in a run (the originator runs at the slowest of its recipients' and its own).
     */
    record Acknowledgement(NodeUid originator, int framesPerSecondMax) implements Payload {
        public Acknowledgement {
            if (framesPerSecondMax < RunMetadata.RATE_MIN || framesPerSecondMax > RunMetadata.RATE_MAX) {
                throw new IllegalArgumentException("rate limit " + framesPerSecondMax + " frames/s is outside " + RunMetadata.RATE_MIN + ".."
                        + RunMetadata.RATE_MAX);
            }
        }
    }

    /** A point in time, in the sender's epoch milliseconds: the stop timepoint of 155. */
    record Timepoint(long epochMs) implements Payload {}
}
