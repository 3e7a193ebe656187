package org.flocksy.core.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import org.flocksy.core.crypto.NodeUid;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A member flooding loss reports gets at most a bounded number looked at per tenth of a second, whenever its clock starts. */
class LossReportsTest {
    private static final long TENTH = 100_000_000L;

    @ParameterizedTest
    @ValueSource(longs = {0L, -5_000_000_000L, 123_456_789_000L, Long.MAX_VALUE - 10 * TENTH})
    void atMostSoManyReportsATenthOfASecondAreLookedAt(long start) {
        Peer peer = new Peer("tcp://127.0.0.1:1", NodeUid.of(new byte[16]));
        int admitted = 0;
        for (int i = 0; i < 1_000; i++) {
            if (peer.admitReport(start + i, TENTH, LossReports.PER_TENTH)) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(LossReports.PER_TENTH);
        assertThat(peer.admitReport(start + TENTH + 1_000, TENTH, LossReports.PER_TENTH)).as("the next tenth").isTrue();
    }
}
