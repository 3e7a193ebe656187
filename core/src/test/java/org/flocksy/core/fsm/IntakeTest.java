package org.flocksy.core.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.flocksy.core.crypto.NodeUid;
import org.flocksy.core.traffic.Traffic;
import org.flocksy.core.wire.FakeFile;
import org.flocksy.core.wire.FileData;
import org.flocksy.core.wire.Frame;
import org.flocksy.core.wire.FrameCodec;
import org.flocksy.core.wire.Heartbeat;
import org.flocksy.core.wire.Payload;
import org.flocksy.core.wire.Status;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * While the event loop is held up, the originator's data frames wait up to a bound, past which they are dropped;
 * every peer's other frames wait up to a bound per peer, so a member flooding them costs only its own.
 */
class IntakeTest {
    private final Peer origin = new Peer("tcp://127.0.0.1:1", NodeUid.of(new byte[16]));
    private final Traffic traffic = new Traffic();
    private final LossReports reports = new LossReports();
    private final OnceWarnings warnings = new OnceWarnings(LoggerFactory.getLogger(IntakeTest.class));

    @Test
    void dataFramesPastTheBacklogBoundAreCountedAndDroppedAndHeartbeatsAlwaysPass() {
        DataBacklog backlog = new DataBacklog(2);
        byte[] data = FrameCodec.encode(new FileData(0, 10, false, new byte[FrameCodec.CHUNK_BYTES], 0));
        byte[] heartbeat = FrameCodec.encode(new Heartbeat(Status.IDLE, 7, Payload.NodeList.of(List.of())));

        List<Intake.Arrived> first = Intake.decode(origin, List.of(data, data, heartbeat, data), 0L, backlog, reports, traffic, warnings);

        assertThat(first).hasSize(3);
        assertThat(first.get(0).frame()).isInstanceOf(FileData.class);
        assertThat(first.get(1).frame()).isInstanceOf(FileData.class);
        assertThat(first.get(2).frame()).isInstanceOf(Heartbeat.class);
        assertThat(origin.fileFrames()).as("still a file frame the peer sent, its chunk lost").isEqualTo(3);
        assertThat(traffic.droppedCount()).isEqualTo(1);
        assertThat(backlog.waiting()).isEqualTo(2);

        // The loop caught up with one of them: one more may wait.
        backlog.taken(1);
        List<Intake.Arrived> second = Intake.decode(origin, List.of(data, data), 0L, backlog, reports, traffic, warnings);
        assertThat(second).hasSize(1);
        assertThat(second.get(0).frame()).isInstanceOf(FileData.class);
        assertThat(origin.fileFrames()).isEqualTo(5);
        assertThat(traffic.droppedCount()).isEqualTo(2);
    }

    /**
     * A receiver's loop busy applying 10 000 files for 16 s while a run goes on at 6 000 frames/s: 96 000 fake
     * frames from each peer arrive meanwhile. They used to wait in the peer's bounded queue, which then dropped
     * its heartbeats: the peer seemed silent and the run was given up (found by the 10 000-file benchmark).
     */
    @Test
    void fakeFramesAreCountedAsTheyArriveAndNeverCrowdOutHeartbeats() {
        DataBacklog backlog = new DataBacklog(2);
        byte[] heartbeat = FrameCodec.encode(new Heartbeat(Status.IDLE, 7, Payload.NodeList.of(List.of())));
        byte[] fake = FrameCodec.encode(FakeFile.INSTANCE);
        int heartbeats = 0;
        for (int second = 0; second < 16; second++) {
            for (int quarter = 0; quarter < 4; quarter++) {
                assertThat(Intake.decode(origin, java.util.Collections.nCopies(1_500, fake), 0L, backlog, reports, traffic, warnings)).isEmpty();
                heartbeats += Intake.decode(origin, List.of(heartbeat), 0L, backlog, reports, traffic, warnings).size();
            }
        }
        assertThat(heartbeats).as("every heartbeat waits for the loop").isEqualTo(64);
        assertThat(origin.fileFrames()).isEqualTo(96_000);
        assertThat(traffic.droppedCount()).isZero();
    }

    /**
     * The loop takes a peer's heartbeats late, after frames that came after them were counted: whether file
     * frames came between two bulk heartbeats is judged by what had arrived with each, or a loop held 0.75 s
     * would take three heartbeats in a row for a silent peer's and drop a peer that sent all along.
     */
    @Test
    void aBulkHeartbeatCountsTheFramesThatArrivedBeforeItNotThoseCountedByTheTimeTheLoopTakesIt() {
        DataBacklog backlog = new DataBacklog(2);
        byte[] bulk = FrameCodec.encode(new Heartbeat(Status.SENDING_FAKE_FILE, 7, Payload.NodeList.of(List.of())));
        byte[] fake = FrameCodec.encode(FakeFile.INSTANCE);
        List<Intake.Arrived> held = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Intake.decode(origin, java.util.Collections.nCopies(500, fake), 0L, backlog, reports, traffic, warnings);
            held.addAll(Intake.decode(origin, List.of(bulk), 0L, backlog, reports, traffic, warnings));
        }
        Intake.decode(origin, java.util.Collections.nCopies(500, fake), 0L, backlog, reports, traffic, warnings);

        // The loop comes back and takes all three.
        held.forEach(arrived -> origin.heardBulkHeartbeat(arrived.fileFrames()));

        assertThat(origin.heartbeatsWithoutFileFrames()).isEqualTo(1);
    }

    @Test
    void aPeerFloodingHeartbeatsWhileTheLoopIsBusyLosesOnlyItsOwnPastItsBound() {
        Peer flooder = new Peer("tcp://127.0.0.1:2", NodeUid.of(new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        DataBacklog backlog = new DataBacklog(2);
        byte[] heartbeat = FrameCodec.encode(new Heartbeat(Status.IDLE, 7, Payload.NodeList.of(List.of())));
        int admitted = 0;
        for (int i = 0; i < Peer.WAITING_FRAMES_MAX / 1024 + 8; i++) {
            admitted += Intake.decode(flooder, java.util.Collections.nCopies(1024, heartbeat), 0L, backlog, reports, traffic, warnings).size();
        }
        assertThat(admitted).as("what waits for the loop stays bounded").isEqualTo(Peer.WAITING_FRAMES_MAX);
        assertThat(traffic.droppedCount()).isEqualTo(8 * 1024);
        // Another peer's heartbeat still gets through.
        byte[] theirs = FrameCodec.encode(new Heartbeat(Status.IDLE, 8, Payload.NodeList.of(List.of())));
        assertThat(Intake.decode(origin, List.of(theirs), 0L, backlog, reports, traffic, warnings)).hasSize(1);
        // The loop took a batch of the flooder's: as many may wait again.
        List<Intake.Arrived> batch = java.util.Collections.nCopies(100,
                new Intake.Arrived(new Heartbeat(Status.IDLE, 7, Payload.NodeList.of(List.of())), 0));
        Intake.taken(flooder, batch, backlog);
        assertThat(Intake.decode(flooder, java.util.Collections.nCopies(200, heartbeat), 0L, backlog, reports, traffic, warnings)).hasSize(100);
    }
}
