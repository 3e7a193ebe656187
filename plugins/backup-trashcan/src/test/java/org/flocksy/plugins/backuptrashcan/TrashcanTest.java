package org.flocksy.plugins.backuptrashcan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.flocksy.api.StoredVersion;
import org.junit.jupiter.api.Test;

class TrashcanTest {
    @Test
    void keepsVersionsForTheirDays() {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        StoredVersion fresh = new StoredVersion("f", now.minus(Duration.ofDays(29)), 1, "a");
        StoredVersion old = new StoredVersion("f", now.minus(Duration.ofDays(31)), 1, "b");
        TrashcanPlugin.Trashcan t = new TrashcanPlugin.Trashcan();
        assertThat(t.expired(List.of(fresh, old), now, null)).containsExactly(old);
        assertThat(t.expired(List.of(fresh, old), now, "7")).containsExactly(fresh, old);
        assertThat(t.check("-1")).contains("whole number of days");
    }
}
