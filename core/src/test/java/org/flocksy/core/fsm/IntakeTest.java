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
    private final OnceWarnings warnings = new OnceWarnings(LoggerFactory.getLogger(IntakeTest.class));

    @Test
    void dataFramesPastTheBacklogBoundArriveAsFakeFramesAndHeartbeatsAlwaysPass() {
        DataBacklog backlog = new DataBacklog(2);
        byte[] data = FrameCodec.encode(new FileData(0, 10, false, new byte[FrameCodec.CHUNK_BYTES], 0));
        byte[] heartbeat = FrameCodec.encode(new Heartbeat(Status.IDLE, 7, Payload.NodeList.of(List.of())));

        List<Frame> first = Intake.decode(origin, List.of(data, data, heartbeat, data), backlog, traffic, warnings);

        assertThat(first).hasSize(4);
        assertThat(first.get(0)).isInstanceOf(FileData.class);
        assertThat(first.get(1)).isInstanceOf(FileData.class);
        assertThat(first.get(2)).isInstanceOf(Heartbeat.class);
        assertThat(first.get(3)).as("still a file frame the peer sent, its chunk lost").isSameAs(FakeFile.INSTANCE);
        assertThat(traffic.droppedCount()).isEqualTo(1);
        assertThat(backlog.waiting()).isEqualTo(2);

        // The loop caught up with one of them: one more may wait.
        backlog.taken(1);
        List<Frame> second = Intake.decode(origin, List.of(data, data), backlog, traffic, warnings);
        assertThat(second.get(0)).isInstanceOf(FileData.class);
        assertThat(second.get(1)).isSameAs(FakeFile.INSTANCE);
        assertThat(traffic.droppedCount()).isEqualTo(2);
    }

    @Test
    void aPeerFloodingHeartbeatsWhileTheLoopIsBusyLosesOnlyItsOwnPastItsBound() {
        Peer flooder = new Peer("tcp://127.0.0.1:2", NodeUid.of(new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        DataBacklog backlog = new DataBacklog(2);
        byte[] heartbeat = FrameCodec.encode(new Heartbeat(Status.IDLE, 7, Payload.NodeList.of(List.of())));
        byte[] fake = FrameCodec.encode(FakeFile.INSTANCE);
        int admitted = 0;
        for (int i = 0; i < Peer.WAITING_FRAMES_MAX / 1024 + 8; i++) {
            admitted += Intake.decode(flooder, java.util.Collections.nCopies(1024, i % 2 == 0 ? heartbeat : fake), backlog, traffic, warnings).size();
        }
        assertThat(admitted).as("what waits for the loop stays bounded").isEqualTo(Peer.WAITING_FRAMES_MAX);
        assertThat(traffic.droppedCount()).isEqualTo(8 * 1024);
        // Another peer's heartbeat still gets through.
        byte[] theirs = FrameCodec.encode(new Heartbeat(Status.IDLE, 8, Payload.NodeList.of(List.of())));
        assertThat(Intake.decode(origin, List.of(theirs), backlog, traffic, warnings)).hasSize(1);
        // The loop took a batch of the flooder's: as many may wait again.
        List<Frame> batch = java.util.Collections.nCopies(100, (Frame) FakeFile.INSTANCE);
        Intake.taken(flooder, batch, backlog);
        assertThat(Intake.decode(flooder, java.util.Collections.nCopies(200, heartbeat), backlog, traffic, warnings)).hasSize(100);
    }
}
