package org.flocksy.core.fsm;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.flocksy.core.scheduler.Emitter;
import org.flocksy.core.sync.OutgoingRun;
import org.flocksy.core.sync.SyncEngine;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.RunMetadata;
import org.flocksy.core.wire.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The originator's half of one run, from its announcement to its stop: who it is for, who acknowledged,
 * who has everything, and its own file frames. One step per method; the machine's model decides each next
 * state. Lives as long as the run; confined to the event loop.
 */
final class OriginatorRun {
    private static final Logger log = LoggerFactory.getLogger(OriginatorRun.class);
    /** The specification's limit: three heartbeats from a peer in a bulk state without a file frame. */
    static final int SILENT_HEARTBEATS_MAX = 3;
    /** How long a silent peer is left out of the runs this node starts. */
    static final Duration SUSPECT_FOR = Duration.ofSeconds(60);

    private final FlockMachine machine;
    private final OutgoingRun out;
    private final RunKind kind;
    private final Set<Peer> recipients;
    private final Set<Peer> acked = new HashSet<>();
    /** The slowest rate a recipient or this node allows so far: the run's rate. */
    private int rate;
    private final Set<Peer> completed = new HashSet<>();
    private final long startedNanos;
    private final Timepoints time;
    private final Emitter emitter;
    private final SyncEngine sync;
    /** When our announcement first went out, in our clock; {@code Long.MAX_VALUE} before. */
    private long announcedAtMs = Long.MAX_VALUE;
    private long runStartMs;
    private BulkWindow window;
    private long bulkDeadlineNanos;

    OriginatorRun(FlockMachine machine, OutgoingRun out, List<Peer> recipients, Timepoints time, Emitter emitter, SyncEngine sync,
                  int ownRateLimit) {
        this.rate = ownRateLimit;
        this.machine = machine;
        this.out = out;
        this.kind = RunKind.of(out.metadata().records(), out.hasContent());
        this.recipients = new HashSet<>(recipients);
        this.time = time;
        this.emitter = emitter;
        this.sync = sync;
        this.startedNanos = time.nowNanos();
    }

    /** Announces the run to its recipients (120, 124, 160, 164) and waits for their acknowledgements. */
    void announce() {
        machine.fire(kind.localWork, Payload.NodeList.of(PeerTable.uids(recipients)));
        machine.heartbeats().reportNextAnnouncement();
        machine.deadline(time.timing().replyDeadline(), () -> {
            // A peer that hears us but never answers (its clock or path out of reach as it sees ours, or a member
            // that will not) must not hold the run: the others get it now, and the next run leaves it out too (it
            // may only have been busy; an idle one still takes this run's metadata, as any node that hears it).
            long until = time.nowNanos() + time.timing().replyDeadline().toNanos();
            List<Peer> silent = recipients.stream().filter(p -> !acked.contains(p)).toList();
            silent.forEach(p -> p.suspectUntil(until));
            recipients.retainAll(acked);
            if (recipients.isEmpty()) {
                // Nobody who answered is still with us: a run for no one would count as delivered.
                abort(Event.DEADLINE, "no acknowledgement from " + silent.stream().map(Peer::endpoint).toList());
                return;
            }
            log.info("{} did not acknowledge {} in time: leaving them out of it", silent.stream().map(Peer::endpoint).toList(), out);
            checkAcknowledged();
        });
    }

    /** Our first announcement went out at {@code wallMs}: the time every peer compares in a collision. */
    void announcedAt(long wallMs) {
        announcedAtMs = wallMs;
    }

    long announcedAtMs() {
        return announcedAtMs;
    }

    boolean isFor(Peer p) {
        return recipients.contains(p);
    }

    /** A recipient acknowledged the announcement, and said how fast it can take part. */
    void acknowledged(Peer p, int rateLimit) {
        if (acked.add(p)) {
            rate = Math.min(rate, rateLimit);
        }
        checkAcknowledged();
    }

    /** Once every recipient acknowledged: the metadata with a start timepoint a random few seconds ahead. */
    void checkAcknowledged() {
        if (!acked.containsAll(recipients)) {
            return;
        }
        long startMs = time.wallMillisAhead(time.timing().startOffsetMin(), time.timing().startOffsetMax());
        RunMetadata metadata = out.metadata().withStart(startMs, rate);
        machine.fire(Event.ACKS_COMPLETE, metadata);
        runStartMs = startMs;
        long startNanos = time.localNanos(startMs) + time.ownJitterNanos();
        long slotNanos = 1_000_000_000L / rate;
        window = new BulkWindow(runStartMs, startNanos, slotNanos);
        // Handed to the sending thread now, as every receiver does (see ReceiverRun#promote).
        emitter.startBulk(startNanos, slotNanos, out.startPump("flocksy-pump-" + machine.nodeName()));
        machine.lossReports().sending(out);
        machine.loop().at(startNanos, () -> {
            if (machine.outgoing() == this && machine.state().phase == State.Phase.SENDING_METADATA) {
                startSending(slotNanos);
            }
        });
    }

    private void startSending(long slotNanos) {
        bulkDeadlineNanos = time.nowNanos() + time.maxRunNanos(out.metadata().chunkCount(), slotNanos);
        machine.fire(Event.START_TIMEPOINT, Payload.NodeList.of(PeerTable.uids(recipients)));
    }

    /** A recipient has the whole run (140). */
    void received(Peer p) {
        completed.add(p);
        checkStop();
    }

    /**
     * Leaves out recipients that went away or back to idle while the run is only announced. Once its start
     * timepoint is out, one recipient lost gives the whole run up, as a receiver gives it up when its
     * originator is lost: every node then winds its file frames down on its own (see
     * {@link BulkWindow#windDown}), or never starts them, so which role noticed first does not show. A run that
     * went on without the lost member would end aligned only when the member lost was a receiver.
     *
     * @return false if the run was given up
     */
    boolean keepRecipients() {
        List<Peer> lost = recipients.stream().filter(p -> !p.connected() || machine.leftRun(p)).toList();
        if (lost.isEmpty()) {
            return true;
        }
        if (machine.state().phase == State.Phase.ANNOUNCING) {
            recipients.removeAll(lost);
            if (recipients.isEmpty()) {
                abort(Event.RECEIVERS_LEFT, "every receiver left");
                return false;
            }
            return true;
        }
        machine.abandoned();
        log.warn("{} left the run of {} once under way: giving it up; it will be sent again", lost, out);
        // The run's bundle goes back to the queue and is closed: what is left of the frames is fake.
        emitter.switchSource(() -> FakeFile.INSTANCE);
        window.windDown(emitter, time);
        if (time.nowNanos() >= window.startNanos()) {
            // As its receivers do when their originator goes silent: the run was too fast for someone.
            machine.runOutcome(rate, lost + " went silent or left");
        }
        sync.requeue(out);
        machine.endOutgoing(Event.RECEIVERS_LEFT);
        return false;
    }

    /** Stops the run once every recipient has it and the run's bucket is full, or when it cannot finish. */
    void checkStop() {
        if (machine.state().phase != State.Phase.SENDING) {
            return;
        }
        List<Peer> silent = recipients.stream().filter(p -> p.heartbeatsWithoutFileFrames() >= SILENT_HEARTBEATS_MAX).toList();
        if (!silent.isEmpty()) {
            abortSilent(silent);
        } else if (time.nowNanos() > bulkDeadlineNanos) {
            stop(false, Event.DEADLINE);
        } else if (completed.containsAll(recipients)
                && emitter.bulkFramesEmitted() >= time.timing().bucketFrames(out.metadata().chunkCount())) {
            stop(true, Event.RUN_COMPLETE);
        }
    }

    /** Sends the stop timepoint (155); at that slot the run ends, delivered or to be sent again. */
    private void stop(boolean delivered, Event event) {
        if (!delivered) {
            log.warn("run of {} ends without every receiver ({}); it will be sent again", out,
                    recipients.isEmpty() ? "every receiver left it or went silent" : "deadline passed; missing " + missing(completed));
        }
        stop(delivered, event, delivered ? null : event == Event.DEADLINE ? "past its deadline" : "its receivers fell silent", List.of());
    }

    /**
     * Sends the stop timepoint (155) and ends the run at that slot like every other node: after it, 150, or
     * 410 naming {@code silent} when receivers sent no file frames.
     */
    private void stop(boolean delivered, Event event, String failure, List<Peer> silent) {
        long stopMs = time.wallMillisAhead(time.timing().stopOffsetMin(), time.timing().stopOffsetMax());
        machine.fire(event, new Payload.Timepoint(stopMs));
        long stopNanos = window.stop(stopMs, emitter, time);
        machine.loop().at(stopNanos, () -> {
            if (machine.outgoing() != this) {
                return;
            }
            if (silent.isEmpty()) {
                // A silent member says nothing about what the flock can carry: no rate moves for it.
                machine.runOutcome(rate, failure);
            }
            if (delivered) {
                log.info("sent {} to {} peer(s) in {} ms at {} frames/s", out, recipients.size(), (time.nowNanos() - startedNanos) / 1_000_000,
                        rate);
                sync.completed(out);
                machine.delivered();
            } else {
                sync.requeue(out);
            }
            if (silent.isEmpty()) {
                machine.endOutgoing(Event.STOP_TIMEPOINT);
            } else {
                machine.endOutgoing(Event.STOP_TIMEPOINT, Status.ONLY_HEARTBEATS, Payload.NodeList.of(PeerTable.uids(silent)));
            }
        });
    }

    /**
     * A recipient that heartbeats in a bulk state but sends no file frames would let an observer tell the run
     * apart (specification: 410). The run stops like any other, at a stop timepoint every node reaches after
     * the same slot count (stopping at once would stop the originator one path delay before the others);
     * then 410 names the silent peers, and the change is sent again without them for a while.
     */
    private void abortSilent(List<Peer> silent) {
        machine.abandoned();
        log.warn("{} sent {} heartbeats without file frames: stopping the run of {} (410); leaving them out for {} s",
                silent, SILENT_HEARTBEATS_MAX, out, SUSPECT_FOR.toSeconds());
        long until = time.nowNanos() + SUSPECT_FOR.toNanos();
        silent.forEach(p -> p.suspectUntil(until));
        stop(false, Event.SILENT_PEER, null, silent);
    }

    /** Gives the run up; its changes go again with the next run. */
    void abort(Event event, String reason) {
        machine.abandoned();
        log.warn("run of {} abandoned: {}; it will be tried again", out, reason);
        emitter.cancelBulk();
        sync.requeue(out);
        machine.endOutgoing(event);
    }

    /** Another run won the tie-break: ours waits, its changes go first in the next run. */
    void giveWay() {
        sync.requeue(out);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** Where the run is, for the control interface. */
    RunProgress progress() {
        long chunks = out.metadata().chunkCount();
        boolean waiting = window == null || machine.state().phase == State.Phase.SENDING_METADATA;
        long startsInMs = waiting && runStartMs > 0 ? Math.max(0, runStartMs - time.wallMillis()) : 0;
        return new RunProgress("sending", out.box().name(), recipients.size() + " peer(s)", out.metadata().records(),
                out.metadata().length(), waiting ? 0 : out.chunksSent(), chunks, waiting, startsInMs, runStartMs > 0 ? rate : 0);
    }

    /** Releases the run (read-ahead thread, bundle file) when the node stops. */
    void close() {
        out.close();
    }

    private String missing(Set<Peer> replied) {
        return recipients.stream().filter(p -> !replied.contains(p)).map(Peer::endpoint).toList().toString();
    }
}
