package org.flocksy.core.fsm;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.sync.IncomingRun;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.RunMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A receiver's half of one run, from its acknowledgement of an originator to the stop: the originator, the
 * run's content arriving, and this node's own fake file frames at the same rate. One step per method; the
 * machine's model decides each next state. Lives as long as this node takes part in the run; confined to
 * the event loop.
 */
final class ReceiverRun {
    private static final Logger log = LoggerFactory.getLogger(ReceiverRun.class);

    private final FlockMachine machine;
    private final Peer origin;
    private final Timepoints time;
    private final Emitter emitter;
    private final SyncEngine sync;
    private final Traffic traffic;
    private IncomingRun in;
    private RunKind kind;
    private BulkWindow window;
    /** Who sends file frames in this run, as far as this node can tell once it starts: the originator first. */
    private List<Peer> members;

    ReceiverRun(FlockMachine machine, Peer origin, Timepoints time, Emitter emitter, SyncEngine sync, Traffic traffic) {
        this.machine = machine;
        this.origin = origin;
        this.time = time;
        this.emitter = emitter;
        this.sync = sync;
        this.traffic = traffic;
    }

    Peer origin() {
        return origin;
    }

    /** The run's rate (frames per second), once its metadata arrived. */
    int rate() {
        return in == null ? 0 : in.metadata().framesPerSecond();
    }

    /** Whether the run's metadata arrived (after it, the run's content may too). */
    boolean promoted() {
        return in != null;
    }

    /**
     * Acknowledges the originator's announcement (121, 125, 161, 165) with the fastest rate this node takes part
     * at, and waits for its metadata.
     */
    void acknowledge(RunKind announced, int rateLimit) {
        machine.fire(announced.announced, new Payload.Acknowledgement(origin.uid(), rateLimit));
        machine.deadline(time.timing().replyDeadline(), () -> abort(Event.DEADLINE, "no metadata from " + origin));
    }

    /**
     * Takes the run's metadata: opens the incoming run and starts this node's file frames at the originator's
     * start timepoint, read on this node's wall clock like the originator reads it (see {@link Timepoints#CLOCK_DISTANCE_MAX_MS}).
     */
    void promote(RunKind metadataKind, RunMetadata metadata) {
        in = sync.openIncoming(origin.endpoint(), metadata);
        kind = metadataKind;
        machine.fire(kind.metadataHeard, Payload.NodeList.of(List.of(origin.uid())));
        long startNanos = time.clampAhead(time.localNanos(metadata.startMs()), time.timing().startOffsetMax()) + time.ownJitterNanos();
        long slotNanos = metadata.slotNanos();
        window = new BulkWindow(metadata.startMs(), startNanos, slotNanos);
        // Handed to the sending thread now, not when the loop gets to it: a loop held up by an apply or a scan
        // must not start this node's frames late (only receivers have that work to do).
        emitter.startBulk(startNanos, slotNanos, in.fileFrames());
        machine.loop().at(startNanos, () -> {
            if (machine.incoming() == this) {
                members = runMembers();
                if (machine.state().phase == State.Phase.PROMOTING) {
                    machine.fire(Event.START_TIMEPOINT, machine.connectedList(), false);
                    completeIfReady();
                }
            }
        });
        long limit = startNanos + time.maxRunNanos(metadata.chunkCount(), slotNanos) - time.nowNanos();
        machine.deadline(Duration.ofNanos(Math.max(0, limit)), () -> abort(Event.DEADLINE, "the run from " + origin + " did not finish in time"));
    }

    /** A chunk of the run's content from the originator. */
    void onFileData(FileData data) {
        try {
            String problem = in.accept(data);
            if (problem != null) {
                traffic.dropped("BAD_CHUNK");
                machine.warnings().warn(origin.endpoint() + "chunk", "dropped a data frame from {}: {}", origin, problem);
                return;
            }
        } catch (IOException e) {
            log.error("cannot write the incoming run from {}: {}; taking part to the end without keeping it", origin, e.toString());
        }
        completeIfReady();
    }

    /**
     * Reports 140 once everything arrived and verified, but only while this node sends its own file frames:
     * a 140 heartbeat before its bulk started would look like a silent peer.
     */
    private void completeIfReady() {
        if (machine.state().phase == State.Phase.SENDING_FAKE && in.complete() && sync.apply(in)) {
            machine.fire(kind.received, Payload.NodeList.of(List.of(origin.uid())));
            machine.deadline(Duration.ofNanos(time.maxRunNanos(in.metadata().chunkCount(), in.metadata().slotNanos())),
                    () -> abort(Event.DEADLINE, origin + " never sent a stop timepoint"));
        }
    }

    /** The originator's stop timepoint (155): this node's file frames end after the same slot count as everyone's. */
    void stop(long stopMs) {
        machine.fire(Event.STOP_HEARD, new Payload.Timepoint(stopMs));
        long stopNanos = window.stop(stopMs, emitter, time);
        machine.loop().at(stopNanos, () -> {
            if (machine.incoming() != this) {
                return;
            }
            if (!in.complete()) {
                log.warn("run from {} stopped with {}/{} chunks; the sender will repeat it", origin, in.chunksReceived(), in.metadata().chunkCount());
            }
            // Chunks still missing at the stop say the run ended early (a silent peer, a deadline), not that this
            // machine or the path fell behind: only frames lost on the way count against the rate.
            machine.runOutcome(rate(), in.lostFrames() ? "frames were dropped on the way" : null);
            in.discard();
            machine.endIncoming(Event.STOP_TIMEPOINT);
        });
    }

    /**
     * Gives the run up: the temp file goes, the box is untouched. Once the metadata arrived this node's file
     * frames wind down (see {@link BulkWindow#windDown}), even if they had not started; before it there are none.
     */
    void abort(Event event, String reason) {
        machine.abandoned();
        log.warn("incoming run abandoned: {}", reason);
        if (window != null) {
            window.windDown(emitter, time);
        } else {
            emitter.cancelBulk();
        }
        discard();
        machine.endIncoming(event);
    }

    /** Gives the run up if a member went silent (see {@link #lostMember}); the run was too fast for someone. */
    void giveUpOnSilence(RateGovernor rate) {
        Peer lost = lostMember();
        if (lost == null) {
            return;
        }
        if (promoted()) {
            rate.overloaded(rate(), lost + " went silent");
        }
        abort(Event.ORIGINATOR_LEFT, lost + " went silent");
    }

    /**
     * A member of the run that went silent, or {@code null}. Every node gives the run up on the same silence,
     * whoever it is: were only the originator watched, the originator would notice a silent receiver one
     * heartbeat before its receivers heard of it, and a silent originator its receivers before it.
     */
    Peer lostMember() {
        if (!origin.connected()) {
            return origin;
        }
        return members == null ? null : members.stream().filter(p -> !p.connected()).findFirst().orElse(null);
    }

    /** The originator and the connected peers whose last heartbeat names it: the run's other receivers. */
    private List<Peer> runMembers() {
        return machine.peers().stream().filter(p -> p == origin
                || (p.connected() && p.lastHeartbeat() != null && Membership.names(p.lastHeartbeat(), origin.uid()))).toList();
    }

    /** Where the run is, for the control interface. */
    RunProgress progress() {
        if (in == null) {
            return null;
        }
        boolean waiting = machine.state().phase == State.Phase.PROMOTING && in.chunksReceived() == 0;
        long startsInMs = waiting ? Math.max(0, (window.startNanos() - time.nowNanos()) / 1_000_000L) : 0;
        return new RunProgress("receiving", in.box() == null ? "?" : in.box().name(), in.peer(), in.metadata().records(),
                in.metadata().length(), in.chunksReceived(), in.metadata().chunkCount(), waiting, startsInMs, in.metadata().framesPerSecond());
    }

    /** Drops what arrived; on the loop or after it stopped. */
    void discard() {
        if (in != null) {
            in.discard();
        }
    }
}
