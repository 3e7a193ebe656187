package org.flocksy.core.fsm;

import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Keyring;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.crypto.Z85;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.sync.IncomingRun;
import org.flocksy.core.sync.OutgoingRun;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.MalformedFrameException;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.RunMetadata;
import org.flocksy.core.wire.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's Flock protocol state: announce (120/124/160/164), acknowledgements (121/125/161/165),
 * metadata with a start timepoint (130/134/170/174 → 131/135/171/175), a bulk phase in which the
 * originator sends the bundle's 200 frames and everyone else 210 frames at the same rate (110/114 and
 * 111/115), completion (140/145/141), stop timepoint (155), back to idle (150, 100). The code decides
 * which {@link Event} happened; the model {@code flock-fsm.json} decides the next state. Every waiting
 * state has a deadline; work that arrives meanwhile waits in the sync engine's queue. All methods except
 * {@link #onFrame} and {@link #heartbeat} run on the event loop.
 */
public final class FlockMachine {
    private static final Logger log = LoggerFactory.getLogger(FlockMachine.class);

    private record Template(Status status, Payload payload, boolean closing) {
        Template(Status status, Payload payload) {
            this(status, payload, false);
        }
    }

    /** The specification's limit: three heartbeats from a peer in a bulk state without a file frame. */
    static final int SILENT_HEARTBEATS_MAX = 3;
    /** Heartbeats further than this from our clock are not clock skew but garbage or replays. */
    static final long CLOCK_DISTANCE_MAX_MS = Duration.ofDays(1).toMillis();
    /** How long a silent peer is left out of the runs this node starts. */
    static final Duration SUSPECT_FOR = Duration.ofSeconds(60);

    private final Clock clock;
    private final Loop loop;
    private final Emitter scheduler;
    private final SyncEngine sync;
    private final FlockTiming timing;
    private final FsmModel model;
    private final Traffic traffic;
    private final String nodeName;
    private final NodeUid self;
    private final List<Peer> peers = new ArrayList<>();
    private final SplittableRandom random;
    private final AtomicReference<Template> template = new AtomicReference<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closingReported = new AtomicBoolean();
    private final AtomicBoolean announceReported = new AtomicBoolean();
    private final AtomicLong batch = new AtomicLong();
    /** When our current announcement first went out, in our clock; {@code Long.MAX_VALUE} before. */
    private long ownAnnouncedAtMs = Long.MAX_VALUE;

    private volatile State state = State.READY;
    private volatile int connectedCount;
    private volatile long abandonedRuns;
    private volatile long deliveredRuns;
    private long lastTickNanos = Long.MAX_VALUE / 2;
    private boolean tickDeferred;
    private long stateEpoch;
    /** Back in ready, until the closing heartbeat (150 or 410) went out: a new run would overwrite it. */
    private boolean settling;

    private OutgoingRun out;
    private RunKind outKind;
    private final Set<Peer> recipients = new HashSet<>();
    private final Set<Peer> acked = new HashSet<>();
    private final Set<Peer> completed = new HashSet<>();
    private long runStartedNanos;
    private long bulkDeadlineNanos;

    private IncomingRun in;
    private RunKind inKind;
    private Peer origin;
    /** The run's start timepoint in the originator's clock, and this node's own start of file frames. */
    private long runStartMs;
    private long bulkStartNanos;
    /** The slot count of the run's stop, once known; -1 before. */
    private long pendingSlots = -1;

    @Inject
    public FlockMachine(Clock clock, Loop loop, Emitter scheduler, SyncEngine sync, FlockTiming timing,
                        Traffic traffic, Settings settings, Keyring keyring, Blake2b blake2b, SplittableRandom random,
                        FsmModel model, NodeUid self) {
        this.model = model;
        this.clock = clock;
        this.loop = loop;
        this.scheduler = scheduler;
        this.sync = sync;
        this.timing = timing;
        this.traffic = traffic;
        this.nodeName = settings.nodeName();
        this.random = random;
        this.self = self;
        for (Keyring.Peer p : keyring.peers()) {
            peers.add(new Peer(p.endpoint(), NodeUid.ofPublicKey(blake2b, Z85.decodeKey(p.publicKey()))));
        }
        template.set(new Template(Status.IDLE, Payload.NodeList.of(List.of())));
    }

    public NodeUid uid() {
        return self;
    }

    public State state() {
        return state;
    }

    public int connectedPeers() {
        return connectedCount;
    }

    /** Runs this node gave up (deadline, silent peer, originator gone): zero on a healthy flock. */
    public long abandonedRuns() {
        return abandonedRuns;
    }

    /** Runs this node sent that every recipient completed. */
    public long deliveredRuns() {
        return deliveredRuns;
    }

    public int configuredPeers() {
        return peers.size();
    }

    /**
     * The run in progress, for the control interface: who sends which box and how far it is, or {@code null}
     * when idle. On the event loop.
     *
     * @param role {@code sending} or {@code receiving}
     * @param chunksDone file frames emitted (sending) or distinct chunks received (receiving)
     */
    public record Progress(String role, String box, String peer, int records, long bytes, long chunksDone, long chunks) {}

    /** What {@link Progress} says now; on the event loop. */
    public Progress progress() {
        if (out != null && state.role == State.Role.ORIGINATOR) {
            return new Progress("sending", out.box().name(), recipients.size() + " peer(s)", out.metadata().records(),
                    out.metadata().length(), Math.min(scheduler.bulkFramesEmitted(), out.metadata().chunkCount()), out.metadata().chunkCount());
        }
        if (in != null && state.role == State.Role.RECEIVER) {
            return new Progress("receiving", in.box() == null ? "?" : in.box().name(), in.peer(), in.metadata().records(),
                    in.metadata().length(), in.chunksReceived(), in.metadata().chunkCount());
        }
        return null;
    }

    /** The configured peers (read their state on the event loop). */
    public List<Peer> peers() {
        return Collections.unmodifiableList(peers);
    }

    /** The heartbeat to emit now; called by the scheduler thread. */
    public Heartbeat heartbeat(long wallMs) {
        Template t = template.get();
        if (t.closing() && closingReported.compareAndSet(false, true)) {
            loop.post(() -> closingSent(t));
        }
        State sending = State.sending(t.status());
        if (sending != null && sending.phase == State.Phase.ANNOUNCING && announceReported.compareAndSet(false, true)) {
            loop.post(() -> announced(t, wallMs));
        }
        Payload payload = t.payload();
        if (payload instanceof Payload.NodeList list && list.batches() > 1) {
            // More than 15 peers: each heartbeat lists the next batch (digest §3.3).
            payload = list.batch(batch.getAndIncrement());
        }
        return new Heartbeat(t.status(), wallMs, payload);
    }

    /** Starts the periodic tick; call once, after the scheduler runs. */
    public void start() {
        loop.every(timing.heartbeatPeriod().toNanos(), this::tick);
    }

    /** Local work arrived: start a run if idle. */
    public void workAvailable() {
        loop.post(this::maybeStart);
    }

    /** Called on the receive thread: decodes, then hands the frame to the event loop. */
    public void onFrame(int peerIndex, byte[] bytes, long receivedNanos, long receivedWallMs) {
        Peer peer = peers.get(peerIndex);
        Frame frame;
        try {
            frame = FrameCodec.decode(bytes);
        } catch (MalformedFrameException e) {
            traffic.dropped(e.reason().name());
            if (warned.add(peer.endpoint() + e.reason())) {
                log.warn("dropped a malformed frame from {}: {} (further ones are only counted)", peer, e.getMessage());
            }
            return;
        }
        loop.post(() -> handle(peer, frame, receivedNanos, receivedWallMs));
    }

    private void handle(Peer peer, Frame frame, long nanos, long wallMs) {
        if (frame instanceof Heartbeat hb) {
            if (Math.abs(wallMs - hb.timestampMs()) > CLOCK_DISTANCE_MAX_MS) {
                traffic.dropped("IMPLAUSIBLE_TIMESTAMP");
                if (warned.add(peer.endpoint() + "time")) {
                    log.warn("dropped a heartbeat from {}: its clock is more than a day off ours", peer);
                }
                return;
            }
            if (peer.heard(hb, nanos, wallMs)) {
                if (!peer.connected()) {
                    updateConnectivity(clock.monotonicNanos());
                }
                onHeartbeat(peer, hb);
            } else {
                traffic.dropped("STALE_HEARTBEAT");
            }
        } else {
            peer.heardFileFrame();
            if (frame instanceof FileData data) {
                onFileData(peer, data);
            }
        }
    }

    private void onHeartbeat(Peer p, Heartbeat hb) {
        State sender = State.sending(hb.status());
        State.Phase phase = sender == null ? null : sender.phase;
        if (phase == State.Phase.SENDING || phase == State.Phase.SENDING_FAKE || phase == State.Phase.ALL_RECEIVED) {
            p.heardBulkHeartbeat();
        } else {
            p.heardFileFrame();
        }
        if (hb.status() == Status.SYNCING_STOP) {
            if (p == origin && in != null && (state.phase == State.Phase.PROMOTING
                    || state.phase == State.Phase.SENDING_FAKE || state.phase == State.Phase.ALL_RECEIVED)) {
                receiverStop(p, ((Payload.Timepoint) hb.payload()).epochMs());
            }
            return;
        }
        if (hb.status() == Status.IDLE || hb.status() == Status.TRANSFER_FINISHED || hb.status() == Status.ONLY_HEARTBEATS) {
            if (p == origin && state.role == State.Role.RECEIVER) {
                abortIncoming(Event.ORIGINATOR_LEFT, p + " went back to idle");
            }
            return;
        }
        if (phase == null) {
            return;
        }
        switch (phase) {
            case ANNOUNCING -> onAnnounce(p, RunKind.announcedBy(hb.status()));
            case SENDING_METADATA -> onMetadata(p, RunKind.announcedBy(hb.status()), (RunMetadata) hb.payload());
            case ACKNOWLEDGING -> {
                if (state.phase == State.Phase.ANNOUNCING && names(hb, self) && recipients.contains(p)) {
                    acked.add(p);
                    checkAcknowledged();
                }
            }
            case ALL_RECEIVED -> {
                if (state.phase == State.Phase.SENDING && names(hb, self) && recipients.contains(p)) {
                    completed.add(p);
                    checkStop();
                }
            }
            default -> {
                // 131/135/171/175 and the bulk codes only feed the silent-peer count above.
            }
        }
    }

    /** A recipient that went back to idle, or now acknowledges another originator, is no longer in our run. */
    private boolean leftRun(Peer p) {
        Heartbeat last = p.lastHeartbeat();
        if (last == null || state.phase == State.Phase.ANNOUNCING) {
            return false;
        }
        if (last.status() == Status.IDLE || last.status() == Status.TRANSFER_FINISHED || last.status() == Status.ONLY_HEARTBEATS) {
            return true;
        }
        State theirs = State.sending(last.status());
        return theirs != null && theirs.role == State.Role.RECEIVER && theirs.phase != State.Phase.SENDING_FAKE
                && !names(last, self);
    }

    /**
     * The collision tie-break of FLOCK.md: the earlier announcement wins, the lower node UID on a tie. An
     * announcement not yet on the wire ({@code Long.MAX_VALUE}) loses to any that is.
     */
    static boolean precedes(long atMs, NodeUid uid, long otherAtMs, NodeUid otherUid) {
        return atMs != otherAtMs ? atMs < otherAtMs : uid.compareTo(otherUid) < 0;
    }

    private static boolean names(Heartbeat hb, NodeUid uid) {
        return hb.payload() instanceof Payload.NodeList list && list.uids().contains(uid);
    }

    private void onAnnounce(Peer p, RunKind kind) {
        if (p == origin && state.role == State.Role.RECEIVER && state.phase != State.Phase.ACKNOWLEDGING) {
            // Our originator announces anew: its last run is over for it, whatever we missed of its end.
            abortIncoming(Event.ORIGINATOR_LEFT, p + " started a new run");
        }
        switch (state.phase) {
            case IDLE -> {
                // Until our closing heartbeat is out, answering would overwrite it; the announcer repeats.
                if (!settling) {
                    acknowledge(p, kind);
                }
            }
            case ACKNOWLEDGING -> {
                if (p != origin && precedes(p.announcedAtMs(), p.uid(), origin.announcedAtMs(), origin.uid())) {
                    acknowledge(p, kind);
                }
            }
            case ANNOUNCING -> {
                if (precedes(p.announcedAtMs(), p.uid(), ownAnnouncedAtMs, self)) {
                    log.info("{} announced at the same time and wins the tie-break; {} waits", p, out);
                    sync.requeue(out);
                    out = null;
                    acknowledge(p, kind);
                }
            }
            default -> {
                // Busy with a run: the announcer waits for our reply until its deadline.
            }
        }
    }

    private void onMetadata(Peer p, RunKind kind, RunMetadata metadata) {
        boolean take = switch (state.phase) {
            case IDLE -> !settling;
            case ACKNOWLEDGING -> p == origin || precedes(p.announcedAtMs(), p.uid(), origin.announcedAtMs(), origin.uid());
            // A peer past its announcement won the tie-break somewhere we did not see: yield to it.
            case ANNOUNCING -> true;
            default -> false;
        };
        if (!take) {
            return;
        }
        if (state.phase == State.Phase.ANNOUNCING) {
            sync.requeue(out);
            out = null;
        }
        promote(p, kind, metadata);
    }

    private void onFileData(Peer p, FileData data) {
        if (p != origin || in == null || (state.phase != State.Phase.PROMOTING && state.phase != State.Phase.SENDING_FAKE)) {
            return;
        }
        try {
            String problem = in.accept(data);
            if (problem != null) {
                traffic.dropped("BAD_CHUNK");
                if (warned.add(p.endpoint() + "chunk")) {
                    log.warn("dropped a data frame from {}: {}", p, problem);
                }
                return;
            }
        } catch (IOException e) {
            log.error("cannot write the incoming run from {}: {}; taking part to the end without keeping it", p, e.toString());
        }
        completeIfReady();
    }

    /**
     * Reports 140 once everything arrived and verified, but only while this node sends its own file frames:
     * a 140 heartbeat before its bulk started would look like a silent peer.
     */
    private void completeIfReady() {
        if (state.phase == State.Phase.SENDING_FAKE && in.complete() && sync.apply(in)) {
            Peer p = origin;
            fire(inKind.received, Payload.NodeList.of(List.of(p.uid())));
            deadline(Duration.ofNanos(maxRunNanos(in.metadata().chunkCount())),
                    () -> abortIncoming(Event.DEADLINE, p + " never sent a stop timepoint"));
        }
    }

    // ---- originator ----

    private void maybeStart() {
        if (state != State.READY || settling || !sync.hasWork()) {
            return;
        }
        long now = clock.monotonicNanos();
        List<Peer> connected = connected().stream().filter(p -> !p.suspectAt(now)).toList();
        if (connected.isEmpty()) {
            return;
        }
        out = sync.nextOutgoing();
        if (out == null) {
            return;
        }
        outKind = RunKind.of(out.metadata().records(), out.hasContent());
        recipients.clear();
        recipients.addAll(connected);
        acked.clear();
        completed.clear();
        runStartedNanos = clock.monotonicNanos();
        ownAnnouncedAtMs = Long.MAX_VALUE;
        fire(outKind.localWork, Payload.NodeList.of(uids(recipients)));
        announceReported.set(false);
        deadline(timing.replyDeadline(), () -> abortOutgoing(Event.DEADLINE, "no acknowledgement from " + missing(acked)));
    }

    private void checkAcknowledged() {
        if (!acked.containsAll(recipients)) {
            return;
        }
        long startMs = clock.wallMillis() + uniform(timing.startOffsetMin(), timing.startOffsetMax());
        fire(Event.ACKS_COMPLETE, out.metadata().withStart(startMs));
        runStartMs = startMs;
        long startNanos = localNanos(startMs, 0) + ownJitterNanos();
        OutgoingRun run = out;
        loop.at(startNanos, () -> {
            if (out == run && state.phase == State.Phase.SENDING_METADATA) {
                startSending(startNanos);
            }
        });
    }

    private void startSending(long startNanos) {
        bulkStartNanos = startNanos;
        pendingSlots = -1;
        scheduler.startBulk(startNanos, out.startPump("flocksy-pump-" + nodeName));
        long chunks = out.metadata().chunkCount();
        bulkDeadlineNanos = clock.monotonicNanos() + maxRunNanos(chunks);
        fire(Event.START_TIMEPOINT, Payload.NodeList.of(uids(recipients)));
    }

    private void checkStop() {
        if (state.phase != State.Phase.SENDING) {
            return;
        }
        List<Peer> silent = recipients.stream()
                .filter(p -> p.heartbeatsWithoutFileFrames() >= SILENT_HEARTBEATS_MAX).toList();
        if (!silent.isEmpty()) {
            abortSilent(silent);
            return;
        }
        if (recipients.isEmpty()) {
            originatorStop(false, Event.RECEIVERS_LEFT);
        } else if (clock.monotonicNanos() > bulkDeadlineNanos) {
            originatorStop(false, Event.DEADLINE);
        } else if (completed.containsAll(recipients)
                && scheduler.bulkFramesEmitted() >= timing.bucketFrames(out.metadata().chunkCount())) {
            originatorStop(true, Event.RUN_COMPLETE);
        }
    }

    private void originatorStop(boolean delivered, Event event) {
        if (!delivered) {
            log.warn("run of {} ends without every receiver ({}); it will be sent again", out,
                    recipients.isEmpty() ? "every receiver left it or went silent" : "deadline passed; missing " + missing(completed));
        }
        long stopMs = clock.wallMillis() + uniform(timing.stopOffsetMin(), timing.stopOffsetMax());
        fire(event, new Payload.Timepoint(stopMs));
        long stopNanos = stopBulk(stopMs);
        OutgoingRun run = out;
        loop.at(stopNanos, () -> {
            if (out != run) {
                return;
            }
            if (delivered) {
                log.info("sent {} to {} peer(s) in {} ms", run, recipients.size(),
                        (clock.monotonicNanos() - runStartedNanos) / 1_000_000);
                sync.completed(run);
                deliveredRuns++;
            } else {
                sync.requeue(run);
            }
            out = null;
            toReady(Event.STOP_TIMEPOINT);
        });
    }

    /**
     * A recipient that heartbeats in a bulk state but sends no file frames would let an observer tell
     * the run apart (specification: 410). The run stops at once, everyone goes idle, and the change is
     * sent again without that peer for a while.
     */
    private void abortSilent(List<Peer> silent) {
        abandonedRuns++;
        log.warn("{} sent {} heartbeats without file frames: aborting the run of {} (410); leaving them out for {} s",
                silent, SILENT_HEARTBEATS_MAX, out, SUSPECT_FOR.toSeconds());
        long until = clock.monotonicNanos() + SUSPECT_FOR.toNanos();
        silent.forEach(p -> p.suspectUntil(until));
        scheduler.cancelBulk();
        sync.requeue(out);
        out = null;
        toReady(Event.SILENT_PEER, Status.ONLY_HEARTBEATS, Payload.NodeList.of(uids(silent)));
    }

    private void abortOutgoing(Event event, String reason) {
        abandonedRuns++;
        log.warn("run of {} abandoned: {}; it will be tried again", out, reason);
        scheduler.cancelBulk();
        if (out != null) {
            sync.requeue(out);
            out = null;
        }
        toReady(event);
    }

    // ---- receiver ----

    private void acknowledge(Peer p, RunKind kind) {
        if (in != null) {
            in.discard();
            in = null;
        }
        origin = p;
        fire(kind.announced, Payload.NodeList.of(List.of(p.uid())));
        deadline(timing.replyDeadline(), () -> abortIncoming(Event.DEADLINE, "no metadata from " + p));
    }

    private void promote(Peer p, RunKind kind, RunMetadata metadata) {
        if (in != null) {
            in.discard();
        }
        origin = p;
        in = sync.openIncoming(p.endpoint(), metadata);
        inKind = kind;
        fire(kind.metadataHeard, Payload.NodeList.of(List.of(p.uid())));
        long startNanos = clampAhead(localNanos(metadata.startMs(), p.clockOffsetMs()), timing.startOffsetMax())
                + ownJitterNanos();
        IncomingRun run = in;
        runStartMs = metadata.startMs();
        bulkStartNanos = startNanos;
        pendingSlots = -1;
        loop.at(startNanos, () -> {
            if (in == run) {
                scheduler.startBulk(startNanos, () -> FakeFile.INSTANCE);
                if (pendingSlots >= 0) {
                    // The stop arrived before our start (a late clock estimate): honour its slot count.
                    scheduler.stopBulkAfter(pendingSlots);
                }
                if (state.phase == State.Phase.PROMOTING) {
                    fire(Event.START_TIMEPOINT, Payload.NodeList.of(uids(connected())), false);
                    completeIfReady();
                }
            }
        });
        long limit = startNanos + maxRunNanos(metadata.chunkCount()) - clock.monotonicNanos();
        deadline(Duration.ofNanos(Math.max(0, limit)), () -> abortIncoming(Event.DEADLINE, "the run from " + p + " did not finish in time"));
    }

    private void receiverStop(Peer p, long stopMs) {
        fire(Event.STOP_HEARD, new Payload.Timepoint(stopMs));
        long stopNanos = stopBulk(stopMs);
        IncomingRun run = in;
        loop.at(stopNanos, () -> {
            if (in != run) {
                return;
            }
            if (!run.complete()) {
                log.warn("run from {} stopped with {}/{} chunks; the sender will repeat it",
                        p, run.chunksReceived(), run.metadata().chunkCount());
            }
            run.discard();
            in = null;
            origin = null;
            toReady(Event.STOP_TIMEPOINT);
        });
    }

    private void abortIncoming(Event event, String reason) {
        abandonedRuns++;
        log.warn("incoming run abandoned: {}", reason);
        scheduler.cancelBulk();
        if (in != null) {
            in.discard();
            in = null;
        }
        origin = null;
        toReady(event);
    }

    /** Releases the run in progress (snapshot, read-ahead thread, temp file); call on the loop or after it stopped. */
    public void close() {
        if (out != null) {
            out.close();
            out = null;
        }
        if (in != null) {
            in.discard();
            in = null;
        }
    }

    // ---- shared ----

    private void tick() {
        long now = clock.monotonicNanos();
        if (now - lastTickNanos > 2 * timing.heartbeatPeriod().toNanos() && !tickDeferred) {
            // The loop was busy (a large bundle written or applied): heartbeats that arrived meanwhile wait
            // behind this tick. Judge connectivity after them, or every peer would look gone.
            tickDeferred = true;
            lastTickNanos = now;
            loop.post(this::tick);
            return;
        }
        tickDeferred = false;
        lastTickNanos = now;
        updateConnectivity(now);
        if (state.role == State.Role.ORIGINATOR) {
            // A receiver that confirmed the whole run has it, whatever it does next.
            recipients.removeIf(p -> !completed.contains(p) && (!p.connected() || leftRun(p)));
            if (recipients.isEmpty() && state.phase != State.Phase.SENDING) {
                abortOutgoing(Event.RECEIVERS_LEFT, "every receiver left");
                return;
            }
            if (state.phase == State.Phase.ANNOUNCING) {
                checkAcknowledged();
            }
            checkStop();
        } else if (state.role == State.Role.RECEIVER && origin != null && !origin.connected()) {
            abortIncoming(Event.ORIGINATOR_LEFT, origin + " went silent");
        } else if (state == State.READY) {
            maybeStart();
        }
    }

    private void updateConnectivity(long now) {
        long window = timing.heartbeatPeriod().toNanos() * timing.connectedPeriods();
        boolean changed = false;
        boolean joined = false;
        for (Peer p : peers) {
            boolean fresh = p.isFresh(now, window);
            if (fresh != p.connected()) {
                p.connected(fresh);
                changed = true;
                joined |= fresh;
                int count = (int) peers.stream().filter(Peer::connected).count();
                log.info("peer {} {} ({}/{} connected)", p, fresh ? "connected" : "disconnected", count, peers.size());
            }
        }
        if (joined) {
            sync.peersJoined();
        }
        if (changed) {
            connectedCount = (int) peers.stream().filter(Peer::connected).count();
            traffic.connected(connected().stream().map(Peer::endpoint).collect(Collectors.toSet()));
            if (state == State.READY && template.get().status() == Status.IDLE) {
                template.set(new Template(Status.IDLE, Payload.NodeList.of(uids(connected()))));
            }
        }
    }

    private void toReady(Event event) {
        toReady(event, Status.TRANSFER_FINISHED, Payload.NodeList.of(uids(connected())));
    }

    /** Back to idle, sending {@code first} for one heartbeat (150 after a run, 410 after an abort), then 100. */
    private void toReady(Event event, Status first, Payload payload) {
        fire(event, Payload.NodeList.of(uids(connected())));
        if (state != State.READY) {
            throw new IllegalStateException("protocol defect: " + event + " does not lead back to READY here");
        }
        settling = true;
        // Template first, then the flag: a report of an older closing heartbeat is ignored by identity,
        // and at worst this one is reported with the next heartbeat.
        template.set(new Template(first, payload, true));
        closingReported.set(false);
    }

    /** The scheduler emitted our first 120: the time every peer will compare in a collision. */
    private void announced(Template announcement, long wallMs) {
        if (template.get() == announcement && state.phase == State.Phase.ANNOUNCING) {
            ownAnnouncedAtMs = wallMs;
        }
    }

    /** The scheduler emitted the closing heartbeat: idle for real now, and free to start the next run. */
    private void closingSent(Template closing) {
        if (template.get() != closing) {
            return;
        }
        settling = false;
        template.set(new Template(Status.IDLE, Payload.NodeList.of(uids(connected()))));
        maybeStart();
    }

    private void fire(Event event, Payload payload) {
        fire(event, payload, true);
    }

    /**
     * Takes the transition the model lists for {@code event} in the current state. One it does not list is
     * our defect, never a silent default.
     */
    private void fire(Event event, Payload payload, boolean newEpoch) {
        State next = model.next(state, event);
        if (next == null) {
            throw new IllegalStateException("protocol defect: no transition from " + state + " on " + event
                    + " in " + FsmModel.RESOURCE);
        }
        if (next != state) {
            log.debug("{} --{}--> {}", state, event, next);
        }
        state = next;
        if (newEpoch) {
            stateEpoch++;
        }
        template.set(new Template(next.status, payload));
    }

    /** Runs {@code onExpiry} after {@code after} unless the state changed meanwhile. */
    private void deadline(Duration after, Runnable onExpiry) {
        long epoch = stateEpoch;
        loop.after(after.toNanos(), () -> {
            if (epoch == stateEpoch) {
                onExpiry.run();
            }
        });
    }

    private List<Peer> connected() {
        return peers.stream().filter(Peer::connected).toList();
    }

    private static List<NodeUid> uids(Collection<Peer> ps) {
        return ps.stream().map(Peer::uid).sorted().toList();
    }

    private String missing(Set<Peer> replied) {
        return recipients.stream().filter(p -> !replied.contains(p)).map(Peer::endpoint).toList().toString();
    }

    /** The local monotonic time of a wall-clock timepoint given in a peer's clock. */
    private long localNanos(long remoteWallMs, long offsetMs) {
        return clock.monotonicNanos() + (remoteWallMs + offsetMs - clock.wallMillis()) * 1_000_000L;
    }

    /**
     * Ends this node's file frames after as many slots as lie between the run's start and stop timepoints,
     * both in the originator's clock: the same count on every node, whatever its clock or jitter.
     *
     * @return when this node's last slot has passed
     */
    private long stopBulk(long stopMs) {
        long slotNanos = timing.framePeriodNanos();
        // A peer whose clock jumped must not hold this node in a run: the stop lies at most the stop offset ahead.
        long latest = clampAhead(Long.MAX_VALUE, timing.stopOffsetMax());
        long maxSlots = Math.max(0, (latest - bulkStartNanos) / slotNanos);
        long slots = Math.max(0, Math.min(maxSlots, (stopMs - runStartMs) * 1_000_000L / slotNanos));
        pendingSlots = slots;
        scheduler.stopBulkAfter(slots);
        return Math.max(clock.monotonicNanos(), bulkStartNanos + slots * slotNanos);
    }

    /**
     * A peer's timepoint in local time, kept between now and {@code limit} plus a few heartbeats ahead: a
     * peer whose clock jumped must not hold this node in a run for an hour.
     */
    private long clampAhead(long atNanos, Duration limit) {
        long now = clock.monotonicNanos();
        long latest = now + limit.toNanos() + timing.heartbeatPeriod().toNanos() * timing.connectedPeriods();
        return Math.max(now, Math.min(atNanos, latest));
    }

    private long ownJitterNanos() {
        long j = timing.timepointJitter().toNanos();
        return random.nextLong(-j, j + 1);
    }

    private long uniform(Duration min, Duration max) {
        return random.nextLong(min.toMillis(), max.toMillis() + 1);
    }

    private long maxRunNanos(long chunks) {
        return timing.bucketFrames(chunks) * timing.framePeriodNanos() * 4 + Duration.ofSeconds(60).toNanos();
    }
}
