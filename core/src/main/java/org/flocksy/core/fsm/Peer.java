package org.flocksy.core.fsm;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.Status;

/**
 * What this node knows of one peer: its identity, its last heartbeat and the clock offset estimated from
 * heartbeat timestamps. Confined to the event loop.
 */
public final class Peer {
    /** Samples of (local receive time − remote timestamp); the median is robust to a few delayed frames. */
    static final int OFFSET_SAMPLES = 31;
    /** A step back larger than this is a clock correction, not a replayed or reordered frame. */
    static final long CLOCK_STEP_MS = 10_000;
    /**
     * A step back is believed only once the old timeline has been quiet this long: a live peer heartbeats
     * every 275 ms at most, so older heartbeats arriving among its current ones are a replay.
     */
    static final long CLOCK_STEP_QUIET_NANOS = 400_000_000L;

    private final String endpoint;
    private final NodeUid uid;
    private final long[] offsets = new long[OFFSET_SAMPLES];
    private int samples;
    private long lastHeartbeatNanos = Long.MIN_VALUE;
    private long lastTimestampMs;
    private Heartbeat last;
    private boolean connected;
    private int heartbeatsWithoutFileFrames;
    /** Counted on the receive thread as they arrive: fake frames never wait for the event loop. */
    private final AtomicLong fileFrames = new AtomicLong();
    private long fileFramesAtLastBulkHeartbeat;
    /** Receive thread only: when the current stretch of this peer's loss reports began, and how many it held. */
    private long reportsSinceNanos;
    private int reports;
    private long announcedAtMs = Long.MAX_VALUE;
    private long suspectUntilNanos = Long.MIN_VALUE;
    private boolean inStep = true;
    /**
     * This peer's heartbeats waiting for the event loop: bounded per peer, so a member flooding them while the
     * loop is busy costs only its own, never the heap.
     */
    private final DataBacklog waiting = new DataBacklog(WAITING_FRAMES_MAX);
    /**
     * 32 Ki heartbeats: more than two hours of an honest peer's while the loop is held; a member flooding them
     * (about 1 KiB each once decoded) holds at most 32 MiB.
     */
    static final int WAITING_FRAMES_MAX = 32_768;

    public Peer(String endpoint, NodeUid uid) {
        this.endpoint = endpoint;
        this.uid = uid;
    }

    public String endpoint() {
        return endpoint;
    }

    /** This peer's frames other than data waiting for the event loop. */
    DataBacklog waiting() {
        return waiting;
    }

    public NodeUid uid() {
        return uid;
    }

    public Heartbeat lastHeartbeat() {
        return last;
    }

    /** When the last heartbeat arrived (monotonic nanos), or {@code Long.MIN_VALUE} if none has. */
    public long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }

    /**
     * Records a heartbeat.
     *
     * @return false if it is not newer than the last one (a replay or reordering), which is then ignored
     */
    boolean heard(Heartbeat heartbeat, long receivedNanos, long receivedWallMs) {
        if (heartbeat.timestampMs() <= lastTimestampMs) {
            if (lastTimestampMs - heartbeat.timestampMs() < CLOCK_STEP_MS
                    || receivedNanos - lastHeartbeatNanos < CLOCK_STEP_QUIET_NANOS) {
                // Reordered, or replayed while the peer's current heartbeats still arrive.
                return false;
            }
            // The peer's clock was set back (its current timeline went quiet): start its history afresh
            // rather than ignore it until it catches up.
            samples = 0;
        }
        State sender = State.sending(heartbeat.status());
        State.Phase phase = sender == null ? null : sender.phase;
        if (phase == State.Phase.ANNOUNCING) {
            if (announcedAtMs == Long.MAX_VALUE) {
                announcedAtMs = heartbeat.timestampMs();
            }
        } else if (phase == State.Phase.IDLE || phase == State.Phase.ACKNOWLEDGING
                || heartbeat.status() == Status.TRANSFER_FINISHED || heartbeat.status() == Status.ONLY_HEARTBEATS) {
            // Back to idle: the next announcement is a new one. In between (130, 110, ...) the peer keeps
            // the time it announced at, so a receiver never leaves a run that already won.
            announcedAtMs = Long.MAX_VALUE;
        }
        lastTimestampMs = heartbeat.timestampMs();
        lastHeartbeatNanos = receivedNanos;
        last = heartbeat;
        offsets[samples % OFFSET_SAMPLES] = receivedWallMs - heartbeat.timestampMs();
        samples++;
        return true;
    }

    /**
     * The timestamp of the first 120 of the peer's current announcement, in its own clock, kept while its
     * run lasts, or {@code Long.MAX_VALUE} when it has none. Every node compares the same raw numbers, so
     * every node reaches the same tie-break whatever the clock offsets.
     */
    long announcedAtMs() {
        return announcedAtMs;
    }

    /**
     * Counts a heartbeat sent in a bulk state; a peer that sends them but no file frames gives itself away.
     * {@code fileFramesBefore} is the peer's file frames counted when this heartbeat arrived: frames between
     * the last one and this one reset the count.
     */
    void heardBulkHeartbeat(long fileFramesBefore) {
        if (fileFramesBefore != fileFramesAtLastBulkHeartbeat) {
            fileFramesAtLastBulkHeartbeat = fileFramesBefore;
            heartbeatsWithoutFileFrames = 1;
        } else {
            heartbeatsWithoutFileFrames++;
        }
    }

    /** A heartbeat outside the bulk states: the count of bulk ones without file frames starts again. */
    void heardOutsideBulk() {
        heartbeatsWithoutFileFrames = 0;
    }

    /** A file frame from this peer arrived (counted for {@link FrameTally}); on the receive thread. */
    void countFileFrame() {
        fileFrames.incrementAndGet();
    }

    /** Whether one more loss report from this peer is looked at: at most {@code max} per {@code periodNanos}; on the receive thread. */
    boolean admitReport(long nanos, long periodNanos, int max) {
        if (reports == 0 || nanos - reportsSinceNanos >= periodNanos) {
            reportsSinceNanos = nanos;
            reports = 0;
        }
        return ++reports <= max;
    }

    /** File frames received from this peer so far. */
    long fileFrames() {
        return fileFrames.get();
    }

    int heartbeatsWithoutFileFrames() {
        return heartbeatsWithoutFileFrames;
    }

    /** Leaves the peer out of runs this node starts until {@code untilNanos}. */
    void suspectUntil(long untilNanos) {
        suspectUntilNanos = untilNanos;
        heartbeatsWithoutFileFrames = 0;
    }

    boolean suspectAt(long nowNanos) {
        return nowNanos < suspectUntilNanos;
    }

    /** Local wall time minus the peer's, in milliseconds (includes the one-way delay, small on a LAN). */
    public long clockOffsetMs() {
        int n = Math.min(samples, OFFSET_SAMPLES);
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(offsets, n);
        Arrays.sort(sorted);
        return sorted[n / 2];
    }

    /** Records whether the peer's clock is within reach now; true when it just came back within it. */
    boolean cameBackInStep(boolean now) {
        boolean back = now && !inStep;
        inStep = now;
        return back;
    }

    boolean isFresh(long nowNanos, long windowNanos) {
        return lastHeartbeatNanos != Long.MIN_VALUE && nowNanos - lastHeartbeatNanos <= windowNanos;
    }

    public boolean connected() {
        return connected;
    }

    /**
     * Marks the peer connected or gone. A peer that is gone forgets its timestamps and clock samples: it
     * may come back as a restarted process whose clock was set back, and must not be taken for a replay.
     */
    void connected(boolean value) {
        connected = value;
        if (!value) {
            lastTimestampMs = 0;
            samples = 0;
        }
    }

    @Override
    public String toString() {
        return endpoint;
    }
}
