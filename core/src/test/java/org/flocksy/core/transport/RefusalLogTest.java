package org.flocksy.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refused connections flood neither the log nor the memory: a line per key a minute, 20 lines a minute in all. */
class RefusalLogTest {
    private long now = 5_000_000_000L;
    private final List<String> lines = new ArrayList<>();
    private final RefusalLog log = new RefusalLog(() -> now, lines::add);

    @Test
    void oneKeyKnockingAllDayLogsOnceAMinuteWithACount() {
        for (int i = 0; i < 10_000; i++) {
            log.refused("10.0.0.9", "KEY", "its key KEY is not in the keystore");
            now += 10_000_000L; // 100 a second
        }
        // 100 s of knocking: the first line, and one a minute later with what was left out between them.
        assertThat(lines).containsExactly("refused a connection from 10.0.0.9: its key KEY is not in the keystore",
                "refused a connection from 10.0.0.9: its key KEY is not in the keystore (and 5999 more from this key since the last line)");
    }

    @Test
    void aNewKeyForEveryKnockStillLogsTwentyLinesAMinute() {
        for (int i = 0; i < 5_000; i++) {
            log.refused("10.0.0.9", "KEY" + i, "its key KEY" + i + " is not in the keystore");
        }
        assertThat(lines).hasSize(RefusalLog.LINES_PER_MINUTE);
        now += RefusalLog.WINDOW_NANOS;
        log.refused("10.0.0.9", "LATE", "its key LATE is not in the keystore");
        assertThat(lines).hasSize(RefusalLog.LINES_PER_MINUTE + 1);
        assertThat(lines.get(lines.size() - 1)).endsWith("(4980 other refusals not logged: too many)");
    }
}
