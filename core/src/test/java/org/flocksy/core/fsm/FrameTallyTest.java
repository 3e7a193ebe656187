package org.flocksy.core.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.flocksy.core.crypto.NodeUid;
import org.junit.jupiter.api.Test;

/** A run whose peers' frames did not all arrive was too fast for the flock, even if its data got through. */
class FrameTallyTest {
    private final Peer a = new Peer("tcp://127.0.0.1:1", NodeUid.of(new byte[16]));
    private final Peer b = new Peer("tcp://127.0.0.1:2", NodeUid.of(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    private final Peer absent = new Peer("tcp://127.0.0.1:3", NodeUid.of(new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    private final FrameTally tally = new FrameTally();

    @Test
    void everyPeersCountIsComparedWithOursRunByRun() {
        receive(a, 50_000);
        receive(b, 49_900);
        assertThat(tally.shortfall(List.of(a, b, absent), 50_000, 5_000)).as("within what is still on its way").isNull();

        receive(a, 50_000);
        receive(b, 47_000);
        assertThat(tally.shortfall(List.of(a, b, absent), 50_000, 5_000))
                .isEqualTo("47,000 of 50,000 file frames from tcp://127.0.0.1:2 arrived");

        receive(a, 1_000);
        assertThat(tally.shortfall(List.of(a, b, absent), 1_000, 5_000)).as("a peer that sent nothing was not in the run").isNull();
    }

    private static void receive(Peer p, int frames) {
        for (int i = 0; i < frames; i++) {
            p.countFileFrame();
        }
    }
}
