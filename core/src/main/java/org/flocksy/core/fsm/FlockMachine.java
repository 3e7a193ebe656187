package org.flocksy.core.fsm;

import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.flocksy.core.clock.Clock;
import org.flocksy.core.config.Keyring;
import org.flocksy.core.config.Settings;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.loop.Loop;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.sync.OutgoingRun;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.timing.FlockTiming;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.RunMetadata;
import org.flocksy.core.wire.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's Flock protocol state: announce (120/124/160/164), acknowledgements (121/125/161/165),
 * metadata with a start timepoint (130/134/170/174 → 131/135/171/175), a bulk phase in which the
 * originator sends the bundle's 200 frames and everyone else 210 frames at the same rate (110/114 and
 * 111/115), completion (140/145/141), stop timepoint (155), back to idle (150, 100). This class tells which
 * {@link Event} happened and which half of a run it concerns: the {@link OriginatorRun originator's} or a
 * {@link ReceiverRun receiver's}; the model {@code flock-fsm.json} decides the next state. Every waiting
 * state has a deadline; work that arrives meanwhile waits in the sync engine's queue. All methods except
 * {@link #onFrames} and {@link #heartbeat} run on the event loop.
 */
public final class FlockMachine implements HeartbeatTemplate.Listener {
    private static final Logger log = LoggerFactory.getLogger(FlockMachine.class);

    private final Loop loop;
    private final Emitter emitter;
    private final SyncEngine sync;
    private final FlockTiming timing;
    private final FsmModel model;
    private final Traffic traffic;
    private final String nodeName;
    private final NodeUid self;
    private final Timepoints time;
    private final PeerTable peers;
    private final HeartbeatTemplate heartbeats;
    private final RateGovernor rate;
    private final FrameTally tally = new FrameTally();
    private final OnceWarnings warnings = new OnceWarnings(log);
    private final DataBacklog backlog = new DataBacklog();
    private final LossReports lossReports = new LossReports();
    private final LateTicks lateTicks;

    private volatile State state = State.READY;
    private volatile long abandonedRuns;
    private volatile long deliveredRuns;
    private long stateEpoch;
    /** Back in ready, until the closing heartbeat (150 or 410) went out: a new run would overwrite it. */
    private boolean settling;
    private OriginatorRun outgoing;
    private ReceiverRun incoming;

    @Inject
    public FlockMachine(Clock clock, Loop loop, Emitter emitter, SyncEngine sync, FlockTiming timing,
                        Traffic traffic, Settings settings, Keyring keyring, Blake2b blake2b, SplittableRandom random,
                        FsmModel model, NodeUid self, RateLimit rateLimit) {
        this.rate = new RateGovernor(rateLimit);
        this.model = model;
        this.loop = loop;
        this.emitter = emitter;
        this.sync = sync;
        this.timing = timing;
        this.traffic = traffic;
        this.nodeName = settings.nodeName();
        this.self = self;
        this.time = new Timepoints(clock, timing, random);
        this.peers = new PeerTable(keyring, blake2b, traffic);
        this.heartbeats = new HeartbeatTemplate(loop);
        this.lateTicks = new LateTicks(timing.heartbeatPeriod().toNanos());
        heartbeats.listen(this);
    }

    public NodeUid uid() {
        return self;
    }

    public State state() {
        return state;
    }

    public int connectedPeers() {
        return peers.connectedCount();
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

    /** The fastest rate at which this node takes part in a run now, and why. */
    public RateLimit rateLimit() {
        return rate.now();
    }

    /** The configured peers (read their state on the event loop). */
    public List<Peer> peers() {
        return peers.all();
    }

    /** The run in progress until its stop (see {@link RunProgress#of}), or {@code null} when idle; on the event loop. */
    public RunProgress progress() {
        return RunProgress.of(state, outgoing, incoming);
    }

    /** The heartbeat to emit now; called by the scheduler thread. */
    public Heartbeat heartbeat(long wallMs) {
        return heartbeats.next(wallMs);
    }

    /** Starts the periodic tick; call once, after the scheduler runs. */
    public void start() {
        loop.every(timing.heartbeatPeriod().toNanos(), this::tick);
    }

    /** This machine was measured again ({@code rate = auto}); from any thread. */
    public void remeasured(RateLimit fresh) {
        loop.post(() -> rate.remeasured(fresh));
    }

    /** Local work arrived: start a run if idle. */
    public void workAvailable() {
        loop.post(this::maybeStart);
    }

    /** Called on the receive thread: decodes a peer's waiting frames, then hands them to the event loop as one event. */
    public void onFrames(int peerIndex, List<byte[]> frames, long receivedNanos, long receivedWallMs) {
        Peer peer = peers.get(peerIndex);
        List<Intake.Arrived> decoded = Intake.decode(peer, frames, receivedNanos, backlog, lossReports, traffic, warnings);
        if (!decoded.isEmpty()) {
            loop.post(() -> {
                Intake.taken(peer, decoded, backlog);
                decoded.forEach(arrived -> handle(peer, arrived, receivedNanos, receivedWallMs));
            });
        }
    }

    private void handle(Peer peer, Intake.Arrived arrived, long nanos, long wallMs) {
        Frame frame = arrived.frame();
        if (frame instanceof Heartbeat hb) {
            if (Intake.heard(peer, hb, nanos, wallMs, traffic, warnings)) {
                if (!peer.connected()) {
                    updateConnectivity(time.nowNanos());
                }
                onHeartbeat(peer, hb, arrived.fileFrames());
            }
        } else if (frame instanceof FileData data && incoming != null && incoming.origin() == peer && incoming.promoted()
                && (state.phase == State.Phase.PROMOTING || state.phase == State.Phase.SENDING_FAKE)) {
            incoming.onFileData(data);
        }
    }

    private void onHeartbeat(Peer p, Heartbeat hb, long fileFramesBefore) {
        State sender = State.sending(hb.status());
        State.Phase phase = sender == null ? null : sender.phase;
        if (phase == State.Phase.SENDING || phase == State.Phase.SENDING_FAKE || phase == State.Phase.ALL_RECEIVED) {
            p.heardBulkHeartbeat(fileFramesBefore);
        } else {
            p.heardOutsideBulk();
        }
        Peer origin = incoming == null ? null : incoming.origin();
        if (hb.status() == Status.SYNCING_STOP) {
            if (p == origin && incoming.promoted() && (state.phase == State.Phase.PROMOTING
                    || state.phase == State.Phase.SENDING_FAKE || state.phase == State.Phase.ALL_RECEIVED)) {
                incoming.stop(((Payload.Timepoint) hb.payload()).epochMs());
            }
            return;
        }
        if (Membership.idle(hb.status())) {
            if (p == origin && state.role == State.Role.RECEIVER) {
                incoming.abort(Event.ORIGINATOR_LEFT, p + " went back to idle");
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
                if (state.phase == State.Phase.ANNOUNCING && outgoing != null && Membership.names(hb, self) && outgoing.isFor(p)
                        && hb.payload() instanceof Payload.Acknowledgement ack) {
                    outgoing.acknowledged(p, ack.framesPerSecondMax());
                }
            }
            case ALL_RECEIVED -> {
                if (state.phase == State.Phase.SENDING && outgoing != null && Membership.names(hb, self) && outgoing.isFor(p)) {
                    outgoing.received(p);
                }
            }
            default -> {
                // 131/135/171/175 and the bulk codes only feed the silent-peer count above.
            }
        }
    }

    private void onAnnounce(Peer p, RunKind kind) {
        Peer origin = incoming == null ? null : incoming.origin();
        if (p == origin && state.role == State.Role.RECEIVER && state.phase != State.Phase.ACKNOWLEDGING) {
            // Our originator announces anew: its last run is over for it, whatever we missed of its end.
            incoming.abort(Event.ORIGINATOR_LEFT, p + " started a new run");
            origin = null;
        }
        if (!Intake.inStep(p, warnings)) {
            return;
        }
        switch (state.phase) {
            case IDLE -> {
                // Until our closing heartbeat is out, answering would overwrite it; the announcer repeats.
                if (!settling) {
                    acknowledge(p, kind);
                }
            }
            case ACKNOWLEDGING -> {
                if (p != origin && Membership.precedes(p.announcedAtMs(), p.uid(), origin.announcedAtMs(), origin.uid())) {
                    acknowledge(p, kind);
                }
            }
            case ANNOUNCING -> {
                if (Membership.precedes(p.announcedAtMs(), p.uid(), outgoing.announcedAtMs(), self)) {
                    log.info("{} announced at the same time and wins the tie-break; {} waits", p, outgoing);
                    outgoing.giveWay();
                    outgoing = null;
                    acknowledge(p, kind);
                }
            }
            default -> {
                // Busy with a run: the announcer waits for our reply until its deadline.
            }
        }
    }

    private void onMetadata(Peer p, RunKind kind, RunMetadata metadata) {
        Peer origin = incoming == null ? null : incoming.origin();
        boolean take = switch (state.phase) {
            case IDLE -> !settling;
            case ACKNOWLEDGING -> p == origin || Membership.precedes(p.announcedAtMs(), p.uid(), origin.announcedAtMs(), origin.uid());
            // A peer past its announcement won the tie-break somewhere we did not see: yield to it.
            case ANNOUNCING -> true;
            default -> false;
        };
        if (!take || !Intake.inStep(p, warnings)) {
            return;
        }
        if (state.phase == State.Phase.ANNOUNCING) {
            outgoing.giveWay();
            outgoing = null;
        }
        if (incoming == null || incoming.origin() != p || incoming.promoted()) {
            replaceIncoming(new ReceiverRun(this, p, time, emitter, sync, traffic));
        }
        incoming.promote(kind, metadata);
    }

    private void acknowledge(Peer p, RunKind kind) {
        replaceIncoming(new ReceiverRun(this, p, time, emitter, sync, traffic));
        incoming.acknowledge(kind, rate.current());
    }

    private void replaceIncoming(ReceiverRun next) {
        if (incoming != null) {
            incoming.discard();
        }
        incoming = next;
    }

    private void maybeStart() {
        if (!sync.hasWork()) {
            return;
        }
        if (state != State.READY || settling) {
            sync.prepareAhead(rate.flockRate());
            return;
        }
        long now = time.nowNanos();
        List<Peer> recipients = peers.connected().stream().filter(p -> !p.suspectAt(now) && Intake.inStep(p, warnings)).toList();
        if (recipients.isEmpty()) {
            return;
        }
        OutgoingRun out = sync.nextOutgoing(rate.flockRate());
        if (out == null) {
            return;
        }
        outgoing = new OriginatorRun(this, out, recipients, time, emitter, sync, rate.current());
        outgoing.announce();
    }

    private void tick() {
        long now = time.nowNanos();
        if (lateTicks.defer(now)) {
            loop.post(this::tick);
            return;
        }
        updateConnectivity(now);
        if (state.role == State.Role.ORIGINATOR && outgoing != null) {
            if (!outgoing.keepRecipients()) {
                return;
            }
            if (state.phase == State.Phase.ANNOUNCING) {
                outgoing.checkAcknowledged();
            }
            outgoing.checkStop();
        } else if (state.role == State.Role.RECEIVER && incoming != null) {
            incoming.giveUpOnSilence(rate);
        } else if (settling && heartbeats.current().status() == Status.IDLE && !emitter.bulkActive()) {
            // A given-up run's file frames wound down: free to take part in the next.
            settling = false;
            maybeStart();
        } else if (state == State.READY) {
            maybeStart();
        }
    }

    private void updateConnectivity(long now) {
        PeerTable.Update update = peers.update(now, timing.heartbeatPeriod().toNanos() * timing.connectedPeriods());
        if (update.joined()) {
            sync.peersJoined();
        }
        if (update.changed() && state == State.READY && heartbeats.current().status() == Status.IDLE) {
            heartbeats.set(Status.IDLE, connectedList());
        }
    }

    // ---- what the halves of a run share ----

    Loop loop() {
        return loop;
    }

    String nodeName() {
        return nodeName;
    }

    HeartbeatTemplate heartbeats() {
        return heartbeats;
    }

    OriginatorRun outgoing() {
        return outgoing;
    }

    ReceiverRun incoming() {
        return incoming;
    }

    List<Peer> connected() {
        return peers.connected();
    }

    /** Whether a recipient of our run left it (see {@link Membership#leftRun}). */
    boolean leftRun(Peer p) {
        return Membership.leftRun(p.lastHeartbeat(), state, self);
    }

    void abandoned() {
        abandonedRuns++;
    }

    void delivered() {
        deliveredRuns++;
    }

    /** How this node's limit learns from a run: carried at {@code runRate}, or not (then {@code failure} says why). */
    void runOutcome(int runRate, String failure) {
        String shortfall = tally.shortfall(peers.all(), emitter.bulkFramesEmitted(), runRate);
        rate.outcome(runRate, failure != null ? failure : shortfall);
    }

    OnceWarnings warnings() {
        return warnings;
    }

    LossReports lossReports() {
        return lossReports;
    }

    /** The peers connected now, as a heartbeat's node list. */
    Payload connectedList() {
        return Payload.NodeList.of(PeerTable.uids(peers.connected()));
    }

    /** The originator's run is over: back to idle, 150 once. */
    void endOutgoing(Event event) {
        endOutgoing(event, Status.TRANSFER_FINISHED, connectedList());
    }

    /** The originator's run is over: back to idle, {@code first} once (410 after a silent peer). */
    void endOutgoing(Event event, Status first, Payload payload) {
        outgoing = null;
        lossReports.sending(null);
        toReady(event, first, payload);
    }

    /** This node's part in a run is over: back to idle, 150 once. */
    void endIncoming(Event event) {
        incoming = null;
        toReady(event, Status.TRANSFER_FINISHED, connectedList());
    }

    /** Back to idle, sending {@code first} for one heartbeat (150 after a run, 410 after an abort), then 100. */
    private void toReady(Event event, Status first, Payload payload) {
        fire(event, connectedList());
        if (state != State.READY) {
            throw new IllegalStateException("protocol defect: " + event + " does not lead back to READY here");
        }
        settling = true;
        heartbeats.closing(first, payload);
    }

    @Override
    public void announced(HeartbeatTemplate.Template announcement, long wallMs) {
        if (heartbeats.current() == announcement && state.phase == State.Phase.ANNOUNCING && outgoing != null) {
            outgoing.announcedAt(wallMs);
        }
    }

    /** The scheduler emitted the closing heartbeat: idle for real now, and free to start the next run. */
    @Override
    public void closingSent(HeartbeatTemplate.Template closing) {
        if (heartbeats.current() != closing) {
            return;
        }
        heartbeats.set(Status.IDLE, connectedList());
        // While a given-up run's frames wind down, no new run may take the sending thread over (see tick).
        settling = emitter.bulkActive();
        maybeStart();
    }

    void fire(Event event, Payload payload) {
        fire(event, payload, true);
    }

    /**
     * Takes the transition the model lists for {@code event} in the current state. One it does not list is
     * our defect, never a silent default.
     */
    void fire(Event event, Payload payload, boolean newEpoch) {
        State next = model.next(state, event);
        if (next == null) {
            throw new IllegalStateException("protocol defect: no transition from " + state + " on " + event + " in " + FsmModel.RESOURCE);
        }
        if (next != state) {
            log.debug("{} --{}--> {}", state, event, next);
        }
        state = next;
        if (newEpoch) {
            stateEpoch++;
        }
        heartbeats.set(next.status, payload);
    }

    /** Runs {@code onExpiry} after {@code after} unless the state changed meanwhile. */
    void deadline(Duration after, Runnable onExpiry) {
        long epoch = stateEpoch;
        loop.after(after.toNanos(), () -> {
            if (epoch == stateEpoch) {
                onExpiry.run();
            }
        });
    }

    /** Releases the run in progress (snapshot, read-ahead thread, temp file); call on the loop or after it stopped. */
    public void close() {
        emitter.cancelBulk();
        if (outgoing != null) {
            outgoing.close();
            outgoing = null;
        }
        if (incoming != null) {
            incoming.discard();
            incoming = null;
        }
    }
}
