package org.flocksy.core.fsm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.MalformedFrameException;
import org.flocksy.core.wire.MissingChunks;

/**
 * What a peer's frames must pass before the machine looks at them: they decode, and a heartbeat's clock is
 * plausible and newer than the last one. What fails is counted by reason and warned about once per peer.
 */
final class Intake {
    /** Heartbeats further than this from our clock are not clock skew but garbage or replays. */
    static final long CLOCK_DISTANCE_MAX_MS = Duration.ofDays(1).toMillis();

    private Intake() {}

    /**
     * The frames that decode and the event loop must see: heartbeats, and the data frames the backlog has room
     * for; on the receive thread. File frames, fake or real, are counted here as they arrive and never wait
     * for the loop otherwise: a loop busy applying for seconds must not make a peer's heartbeats queue behind
     * thousands of fake frames, and be dropped with them (the peer would then seem silent and its run lost).
     * A data frame the backlog has no room for is dropped; its chunk comes again with the carousel. A loss
     * report goes straight to the run this node sends, if any.
     */
    static List<Arrived> decode(Peer peer, List<byte[]> frames, long nanos, DataBacklog backlog, LossReports reports, Traffic traffic,
                                OnceWarnings warn) {
        List<Arrived> decoded = new ArrayList<>(frames.size());
        for (byte[] bytes : frames) {
            try {
                Frame frame = FrameCodec.decode(bytes);
                if (frame instanceof Heartbeat) {
                    if (peer.waiting().admit()) {
                        decoded.add(new Arrived(frame, peer.fileFrames()));
                    } else {
                        traffic.dropped("PEER_QUEUE_FULL");
                        warn.warn(peer.endpoint() + "queue", "{} heartbeats from {} wait for the event loop; dropping its further ones "
                                + "until it catches up (further drops are only counted)", Peer.WAITING_FRAMES_MAX, peer);
                    }
                    continue;
                }
                peer.countFileFrame();
                if (frame instanceof MissingChunks report) {
                    reports.take(peer, report, nanos);
                } else if (frame instanceof FileData) {
                    if (backlog.admit()) {
                        decoded.add(new Arrived(frame, peer.fileFrames()));
                    } else {
                        traffic.dropped("BACKLOG_FULL");
                        warn.warn("backlog", "the event loop fell {} data frames behind; dropping further ones from {} until it "
                                + "catches up (they come again; further drops are only counted)", DataBacklog.FRAMES_MAX, peer);
                    }
                }
            } catch (MalformedFrameException e) {
                traffic.dropped(e.reason().name());
                warn.warn(peer.endpoint() + e.reason(), "dropped a malformed frame from {}: {} (further ones are only counted)", peer,
                        e.getMessage());
            }
        }
        return decoded;
    }

    /** On the loop, before a batch from {@link #decode} is handled: its frames no longer wait. */
    static void taken(Peer peer, List<Arrived> batch, DataBacklog backlog) {
        long data = batch.stream().filter(a -> a.frame() instanceof FileData).count();
        backlog.taken(data);
        peer.waiting().taken(batch.size() - data);
    }

    /**
     * A frame as the receive thread took it in, with the peer's file frames counted by then: the loop may take
     * a heartbeat seconds later, when frames that came after it have been counted too.
     */
    record Arrived(Frame frame, long fileFrames) {}

    /** Whether a peer's runs can be kept in step with ours (see {@link Timepoints#inStep}); warned about once. */
    static boolean inStep(Peer peer, OnceWarnings warn) {
        if (Timepoints.inStep(peer)) {
            return true;
        }
        warn.warn(peer.endpoint() + "step", "{}'s heartbeats arrive {} ms off our clock, more than the {} ms a run's timing absorbs: "
                + "leaving it out of runs while they do (check both clocks' NTP and the path)", peer, peer.clockOffsetMs(),
                Timepoints.CLOCK_DISTANCE_MAX_MS);
        return false;
    }

    /** Whether a heartbeat counts: then the peer has taken it in (see {@link Peer#heard}); on the event loop. */
    static boolean heard(Peer peer, Heartbeat hb, long nanos, long wallMs, Traffic traffic, OnceWarnings warn) {
        if (Math.abs(wallMs - hb.timestampMs()) > CLOCK_DISTANCE_MAX_MS) {
            traffic.dropped("IMPLAUSIBLE_TIMESTAMP");
            warn.warn(peer.endpoint() + "time", "dropped a heartbeat from {}: its clock is more than a day off ours", peer);
            return false;
        }
        if (!peer.heard(hb, nanos, wallMs)) {
            traffic.dropped("STALE_HEARTBEAT");
            return false;
        }
        return true;
    }
}
