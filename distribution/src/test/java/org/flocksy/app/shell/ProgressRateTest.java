package org.flocksy.app.shell;

import static org.assertj.core.api.Assertions.assertThat;

import org.flocksy.app.control.Words;
import org.flocksy.core.fsm.RunProgress;
import org.junit.jupiter.api.Test;

/** What the status line says about a run: its wait for the start, and a rate that never runs backwards. */
class ProgressRateTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1 << 20;

    private static RunProgress run(long chunksDone, boolean waiting, long startsInMs) {
        return new RunProgress("sending", "docs", "2 peer(s)", 1, 10 * MIB, chunksDone, 2560, waiting, startsInMs, 200);
    }

    @Test
    void aRunThatHasNotStartedSaysSoInsteadOfAFullBar() {
        assertThat(Words.waiting("sending", "docs", 10 * MIB, 4_200)).isEqualTo("sending 'docs' (10.0 MiB): starts in 4 s");
        assertThat(Words.waiting("receiving", "docs", 10 * MIB, 0)).isEqualTo("receiving 'docs' (10.0 MiB): waiting for its start");
    }

    @Test
    void theRateStartsAgainWhenTheSameChangesAreSentAgainAndIsNeverNegative() {
        ProgressLine.Rate rate = new ProgressLine.Rate();
        assertThat(rate.sample(run(0, false, 0), 0, 0)).isZero();
        assertThat(rate.sample(run(256, false, 0), MIB, SECOND)).isPositive();
        // The run was abandoned and sent again: fewer bytes than before, the same run as far as the shell can tell.
        assertThat(rate.sample(run(64, false, 0), MIB / 4, 2 * SECOND)).isZero();
        assertThat(rate.sample(run(128, false, 0), MIB / 2, 3 * SECOND)).isPositive();
        assertThat(Words.bar("sending", "docs", MIB / 2, 10 * MIB, -5)).contains("0 B/s").doesNotContain("-");
    }

    @Test
    void anotherRunStartsFromNothing() {
        ProgressLine.Rate rate = new ProgressLine.Rate();
        rate.sample(run(0, false, 0), 0, 0);
        double first = rate.sample(run(2560, false, 0), 10 * MIB, SECOND);
        assertThat(first).isPositive();
        RunProgress other = new RunProgress("receiving", "docs", "tcp://x:1", 3, 4 * MIB, 0, 1024, false, 0, 200);
        assertThat(rate.sample(other, 0, 2 * SECOND)).isZero();
    }
}
