package org.flocksy.core.wire;

import java.util.List;
import org.flocksy.core.crypto.NodeUid;

/** What a heartbeat carries after its timestamp; the status code decides which. */
public sealed interface Payload permits Payload.NodeList, RunMetadata, Payload.Timepoint {

    /**
     * {@code node-count} and up to {@link FrameCodec#NODE_UIDS_MAX} node UIDs. For acknowledgements
     * (121, 131, 140) flocksy lists the originator being acknowledged, so a late ack of another run
     * can never be counted.
     */
    record NodeList(int count, List<NodeUid> uids) implements Payload {
        public NodeList {
            uids = List.copyOf(uids);
            if (count < 0 || count > 255) {
                throw new IllegalArgumentException("node-count out of range: " + count);
            }
            if (uids.size() > FrameCodec.NODE_UIDS_MAX) {
                throw new IllegalArgumentException("at most " + FrameCodec.NODE_UIDS_MAX + " uids per heartbeat");
            }
        }

        public static NodeList of(List<NodeUid> uids) {
            return new NodeList(uids.size(), uids.subList(0, Math.min(uids.size(), FrameCodec.NODE_UIDS_MAX)));
        }
    }

    /** A point in time, in the sender's epoch milliseconds: the stop timepoint of 155. */
    record Timepoint(long epochMs) implements Payload {}
}
